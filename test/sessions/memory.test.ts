/** The memory toolset: an agent remembers a fact in one conversation and recalls it in another, per owner, within a cap. */
import { afterEach, describe, expect, it } from 'vitest';
import { textOf } from '../../src/core/messages.js';
import { run } from '../../src/core/run.js';
import { ConfigError } from '../../src/core/errors.js';
import { scripted } from '../../src/models/scripted.js';
import { Agent } from '../../src/patterns/agent.js';
import { memoryTools, storeMemory, type MemoryBackend } from '../../src/sessions/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** Remembers what follows "remember:", recalls for "recall:", then answers with the last tool result. */
const model = scripted((req) => {
  const last = req.messages.at(-1)!;
  if (last.role === 'tool') return `tool said: ${last.content}`;
  const [verb, rest] = textOf(last.content).split(': ');
  return { toolCalls: [{ name: verb!, args: verb === 'remember' ? { fact: rest } : { query: rest } }] };
});

describe('memory tools', () => {
  it('remember in one run, recall in a later one; another owner recalls nothing', async () => {
    const store = await SqliteStore.open(':memory:');
    stores.push(store);
    const backend = storeMemory(store, { cap: 2 });
    const agentFor = (owner: string) => new Agent({ name: 'assistant', instructions: 'Help.', model, tools: memoryTools({ backend, owner }) });
    await run(agentFor('alice'), 'remember: Alice wants deliveries left with the concierge');
    const recalled = await run(agentFor('alice'), 'recall: where should deliveries go?');
    expect(recalled.output.text).toBe('tool said: {"facts":["Alice wants deliveries left with the concierge"]}');
    const other = await run(agentFor('bob'), 'recall: deliveries concierge');
    expect(other.output.text).toBe('tool said: {"facts":[]}');
    // At the cap the model is told, and nothing is lost or overwritten.
    await run(agentFor('alice'), 'remember: Alice pays by invoice');
    const full = await run(agentFor('alice'), 'remember: Alice likes green');
    expect(full.output.actions[0]).toMatchObject({ tool: 'remember', ok: false, result: expect.stringContaining('memory is full') });
    expect(await store.countMemories('alice')).toBe(2);
  });

  it('any backend with remember and recall will do (the seam for a vector index)', async () => {
    const facts: string[] = [];
    const backend: MemoryBackend = {
      remember: async (owner, content) => (facts.push(content), { id: String(facts.length), owner, content, at: 0 }),
      recall: async (owner, query) => facts.filter((f) => f.includes(query)).map((content, i) => ({ id: String(i), owner, content, at: 0 })),
    };
    const agent = new Agent({ name: 'a', instructions: 'Help.', model, tools: memoryTools({ backend, owner: 'o' }) });
    await run(agent, 'remember: the door code is never shared');
    expect((await run(agent, 'recall: door')).output.text).toBe('tool said: {"facts":["the door code is never shared"]}');
    expect(() => memoryTools({ backend, owner: '' })).toThrow(ConfigError);
  });
});
