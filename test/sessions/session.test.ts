/**
 * Sessions in one process (SQLite): history before the input, turns saved
 * as they complete, owner scoping, SessionBusy by the store's version check,
 * and the configuration errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { orderSupportAgent } from '../../examples/vend/order-support.js';
import { ConfigError, ModelError } from '../../src/core/errors.js';
import type { Message } from '../../src/core/messages.js';
import type { ModelRequest } from '../../src/core/model.js';
import { run } from '../../src/core/run.js';
import { step } from '../../src/core/step.js';
import { scripted } from '../../src/models/scripted.js';
import { Agent } from '../../src/patterns/agent.js';
import { SessionBusy } from '../../src/sessions/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});
async function memoryStore(): Promise<Store> {
  const s = await SqliteStore.open(':memory:');
  stores.push(s);
  return s;
}

/** An agent whose scripted model records every request and echoes the question. */
function echoAgent(seen: ModelRequest[] = [], delayMs = 0) {
  const model = scripted((req) => {
    seen.push({ ...req, messages: [...req.messages] });
    const last = req.messages.filter((m) => m.role === 'user').at(-1)!;
    return { text: `echo: ${last.content}`, delayMs };
  });
  return new Agent({ name: 'echo', instructions: 'Echo the user.', model });
}

describe('sessions', () => {
  it('order-support answers the follow-up from the session history, and the turns are stored whole', async () => {
    const store = await memoryStore();
    const opts = { store, session: 'user-42:chat-7', owner: 'user-42' };
    const first = await run(orderSupportAgent(), 'Where is order 1042?', opts);
    expect(first.output.text).toBe('Order 1042 is shipped with DHL (estimated delivery 2026-06-01).');
    const second = await run(orderSupportAgent(), 'And when will it arrive?', opts);
    expect(second.scripted).toBe(true);
    expect(second.output.text).toBe('Order 1042 should arrive on 2026-06-01 (it is shipped with DHL).');
    expect(second.output.actions.map((a) => [a.tool, a.args])).toEqual([['get_order', { order_id: '1042' }]]);

    const stored = await store.sessionMessages('user-42', 'user-42:chat-7');
    expect(stored.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user', 'assistant', 'tool', 'assistant']);
    expect(stored.some((m) => m.role === 'system')).toBe(false);
    expect(stored[7]).toEqual({ role: 'assistant', content: second.output.text });
    // Without the session the same follow-up has nothing to go on: a ticket.
    const alone = await run(orderSupportAgent(), 'And when will it arrive?');
    expect(alone.output.actions[0]!.tool).toBe('create_support_ticket');
  });

  it('one owner cannot read another owner\'s session, even with the same session id', async () => {
    const store = await memoryStore();
    await run(echoAgent(), 'my card ends in 4242', { store, session: 'chat-1', owner: 'alice' });
    const seen: ModelRequest[] = [];
    await run(echoAgent(seen), 'what did I say before?', { store, session: 'chat-1', owner: 'bob' });
    expect(seen[0]!.messages.map((m) => m.content)).toEqual(['Echo the user.', 'what did I say before?']);
    expect(JSON.stringify(await store.sessionMessages('bob', 'chat-1'))).not.toContain('4242');
    expect(await store.sessionMessages('alice', 'chat-1')).toHaveLength(2);
  });

  it('a crash loses at most the turn in flight: completed turns stay, and the next run continues from them', async () => {
    const store = await memoryStore();
    let calls = 0;
    const model = scripted(() => {
      calls++;
      if (calls === 2) return { error: { message: 'provider down' } };
      if (calls === 1) return { toolCalls: [{ name: 'noop', args: {} }] };
      return 'recovered';
    });
    const { tool } = await import('../../src/core/tool.js');
    const { z } = await import('zod');
    const noop = tool({ name: 'noop', description: 'Does nothing.', input: z.object({}), execute: () => 'ok' });
    const agent = new Agent({ name: 'a', instructions: 'sys', model, tools: [noop] });
    await expect(run(agent, 'first question', { store, session: 's', owner: 'o' })).rejects.toBeInstanceOf(ModelError);
    const kept = await store.sessionMessages('o', 's');
    // The question and the completed tool turn (call with its result) were saved before the failing call.
    expect(kept.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    // The session was released: the next run continues at once.
    const next = await run(agent, 'second question', { store, session: 's', owner: 'o' });
    expect(next.output.text).toBe('recovered');
    expect((await store.sessionMessages('o', 's')).map((m) => m.content)).toEqual(['first question', '', 'ok', 'second question', 'recovered']);
  });

  it('a second run on a busy session fails with SessionBusy by default, or waits its turn: never interleaved', async () => {
    const store = await memoryStore();
    const opts = { store, session: 'shared', owner: 'o' };
    const slow = run(echoAgent([], 200), 'one', opts);
    await new Promise((r) => setTimeout(r, 50));
    const busy = await run(echoAgent(), 'two', opts).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(SessionBusy);
    expect((busy as SessionBusy).code).toBe('SESSION_BUSY');
    const seen: ModelRequest[] = [];
    const waiting = run(echoAgent(seen), 'three', { ...opts, sessionBusy: { waitMs: 5_000 } });
    await slow;
    await waiting;
    // The waiting run started after the first finished: it saw the whole first turn.
    expect(seen[0]!.messages.map((m) => m.content)).toEqual(['Echo the user.', 'one', 'echo: one', 'three']);
    expect((await store.sessionMessages('o', 'shared')).map((m) => m.content)).toEqual(['one', 'echo: one', 'three', 'echo: three']);
  });

  it('refuses a session without a store, an owner, or an agent at the root', async () => {
    const store = await memoryStore();
    await expect(run(echoAgent(), 'x', { session: 's', owner: 'o' })).rejects.toThrow(/needs a store/);
    await expect(run(echoAgent(), 'x', { store, session: 's' })).rejects.toBeInstanceOf(ConfigError);
    const plain = step('plain', async (s: string) => s);
    await expect(run(plain, 'x', { store, session: 's', owner: 'o' })).rejects.toThrow(/not an Agent/);
    expect(await store.listSessions()).toEqual([]);
  });

  it('a history passed as messages is appended after the stored one', async () => {
    const store = await memoryStore();
    const seen: ModelRequest[] = [];
    await run(echoAgent(), 'a', { store, session: 'm', owner: 'o' });
    const input: Message[] = [{ role: 'system', content: 'ignored' }, { role: 'user', content: 'b' }];
    await run(echoAgent(seen), input, { store, session: 'm', owner: 'o' });
    expect(seen[0]!.messages.map((m) => m.content)).toEqual(['Echo the user.', 'a', 'echo: a', 'b']);
  });
});

describe('sessions with stream()', () => {
  it('stream() takes the same options: the history goes in, the streamed turn is saved', async () => {
    const { stream } = await import('../../src/core/streaming/stream.js');
    const store = await memoryStore();
    const opts = { store, session: 'streamed', owner: 'o' };
    await run(orderSupportAgent(), 'Where is order 1042?', opts);
    const s = stream(orderSupportAgent(), 'And when will it arrive?', opts);
    let text = '';
    for await (const e of s) if (e.type === 'text-delta') text += e.delta;
    const result = await s.result;
    expect(text).toBe('Order 1042 should arrive on 2026-06-01 (it is shipped with DHL).');
    expect(result.output.text).toBe(text);
    expect(await store.sessionMessages('o', 'streamed')).toHaveLength(8);
  });
});
