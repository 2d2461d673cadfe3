/**
 * Context policies before every model call: the 200-turn conversations of
 * the issue (tokenBudget never sends more than its budget, counted here
 * independently with gpt-tokenizer; summarize calls the summariser once per
 * trigger and reuses its summary across runs of a session), tool calls never
 * separated from their results, the system prompt never dropped, the span
 * of what was trimmed, and the context window check before sending.
 */
import { countTokens } from 'gpt-tokenizer/model/gpt-4o';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { textOf, type Message } from '../../src/core/messages.js';
import type { ModelRequest } from '../../src/core/model.js';
import { run } from '../../src/core/run.js';
import { tool } from '../../src/core/tool.js';
import { scripted } from '../../src/models/scripted.js';
import { Agent } from '../../src/patterns/agent.js';
import { ContextTooLarge, lastMessages, setContextWindow, summarize, tokenBudget } from '../../src/sessions/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const SYSTEM = 'You are Vend support. Look orders up with the tool before answering.';
const lookup = tool({
  name: 'lookup',
  description: 'Look an order up by id.',
  input: z.object({ id: z.string() }),
  execute: ({ id }) => ({ id, status: 'shipped', notes: `order ${id} left the warehouse on a Tuesday; carrier DHL; two parcels; signature required`.repeat(2) }),
});

/** Sentences of varied length, so turns are not all the same size. */
const question = (i: number) => `Turn ${i}: where is order ${1000 + i}? ${'I ordered it a while ago and would like an update. '.repeat(1 + (i % 5))}`;

/** Every request the main model was sent; a tool call on the first step of each question, then an answer. */
function supportAgent(seen: ModelRequest[]) {
  const model = scripted(
    (req) => {
      seen.push({ ...req, messages: [...req.messages] });
      const last = req.messages.at(-1)!;
      const text = textOf(last.content);
      if (last.role === 'user') return { toolCalls: [{ name: 'lookup', args: { id: /order (\d+)/.exec(text)![1] } }] };
      return `Order ${(JSON.parse(text) as { id: string }).id} is shipped with DHL. ${'Thank you for your patience. '.repeat(3)}`;
    },
    { name: 'gpt-4o' },
  );
  return new Agent({ name: 'support', instructions: SYSTEM, model, tools: [lookup] });
}

/** An independent count with gpt-tokenizer's own chat format, plus the tool definitions. */
function independentCount(req: ModelRequest): number {
  const chat = req.messages.map((m) => ({
    role: m.role === 'tool' ? ('user' as const) : m.role,
    content: textOf(m.content) + (m.role === 'assistant' ? (m.toolCalls ?? []).map((c) => c.name + c.arguments).join('') : '') + (m.role === 'tool' ? m.toolName : ''),
  }));
  return countTokens(chat) + (req.tools ? countTokens(JSON.stringify(req.tools)) : 0);
}

/** No tool result without its call right before it (in the same request), and the system prompt first. */
function expectWellFormed(req: ModelRequest): void {
  expect(req.messages[0]).toEqual({ role: 'system', content: SYSTEM });
  const calls = new Set<string>();
  for (const m of req.messages) {
    if (m.role === 'assistant') for (const c of m.toolCalls ?? []) calls.add(c.id);
    if (m.role === 'tool') expect(calls.has(m.toolCallId)).toBe(true);
  }
  for (const m of req.messages) if (m.role === 'assistant') for (const c of m.toolCalls ?? []) expect(req.messages.some((x) => x.role === 'tool' && x.toolCallId === c.id)).toBe(true);
}

async function store(): Promise<Store> {
  const s = await SqliteStore.open(':memory:');
  stores.push(s);
  return s;
}

describe('context policies over a 200-turn conversation', () => {
  it('tokenBudget(4000): no request over 4,000 tokens, counted independently; whole tool groups; system kept', async () => {
    const s = await store();
    const seen: ModelRequest[] = [];
    let trimmedSpans = 0;
    for (let i = 0; i < 200; i++) {
      const r = await run(supportAgent(seen), question(i), { store: s, session: 'long', owner: 'u', context: tokenBudget(4000) });
      const ctxSpans = r.trace.filter((x) => x.kind === 'decision' && x.name === 'context');
      for (const span of ctxSpans) {
        expect(span.attributes).toMatchObject({ policy: 'tokenBudget', tokenizer: 'gpt-tokenizer/o200k_base' });
        expect(span.attributes.tokensAfter as number).toBeLessThanOrEqual(4000);
        expect(span.attributes.tokensBefore as number).toBeGreaterThan(4000);
        expect(span.attributes.messagesAfter as number).toBeLessThan(span.attributes.messagesBefore as number);
      }
      trimmedSpans += ctxSpans.length;
    }
    expect(seen).toHaveLength(400);
    const sizes = seen.map(independentCount);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4000);
    expect(Math.max(...sizes)).toBeGreaterThan(3000); // the budget is used, not starved
    for (const req of seen) expectWellFormed(req);
    expect(trimmedSpans).toBeGreaterThan(300);
    // The session keeps everything; only the requests were trimmed.
    expect(await s.sessionMessages('u', 'long')).toHaveLength(800);
  });

  it('summarize: one summariser call per trigger, the summary reused across runs from the session', async () => {
    const s = await store();
    const seen: ModelRequest[] = [];
    const summaries: ModelRequest[] = [];
    const summarizer = scripted((req) => {
      summaries.push(req);
      return `Summary #${summaries.length}: the customer asked about many orders; all were shipped with DHL.`;
    });
    const policy = summarize({ model: summarizer, triggerTokens: 3000, keepLast: 8 });
    let summarizedSpans = 0;
    for (let i = 0; i < 200; i++) {
      const r = await run(supportAgent(seen), question(i), { store: s, session: 'sum', owner: 'u', context: policy });
      summarizedSpans += r.trace.filter((x) => x.kind === 'decision' && x.name === 'context' && x.attributes.summarized === true).length;
      // The summariser's call is traced and budgeted like any model call.
      expect(r.trace.filter((x) => x.kind === 'model' && x.name === 'summarize')).toHaveLength(r.trace.filter((x) => x.attributes.summarized === true).length);
    }
    expect(summaries.length).toBeGreaterThan(3);
    expect(summaries.length).toBeLessThan(200 / 4); // far fewer than one per turn
    expect(summarizedSpans).toBe(summaries.length);
    // Each new summary builds on the previous one, not on the whole history again.
    for (let k = 1; k < summaries.length; k++) expect(summaries[k]!.messages[1]!.content).toContain(`Summary #${k}:`);
    // Between triggers the stored summary is reused, across runs: count the requests that carry each summary.
    const carrying = (k: number) => seen.filter((req) => req.messages.some((m) => m.role === 'system' && m.content.includes(`Summary #${k}:`))).length;
    for (let k = 1; k <= summaries.length; k++) expect(carrying(k)).toBeGreaterThan(4);
    expect((await s.getSession('u', 'sum'))!.summary).toMatchObject({ text: expect.stringContaining(`Summary #${summaries.length}:`) });
    for (const req of seen) expectWellFormed({ ...req, messages: req.messages.filter((m, i) => i === 0 || !textOf(m.content).startsWith('Summary of the earlier')) });
  });
});

describe('context policies in one run', () => {
  it('lastMessages(n) keeps at most n messages and drops a tool result whose call would be cut off', async () => {
    const seen: ModelRequest[] = [];
    const history: Message[] = [];
    for (let i = 0; i < 3; i++) history.push({ role: 'user', content: `q${i}` }, { role: 'assistant', content: '', toolCalls: [{ id: `c${i}`, name: 'lookup', arguments: `{"id":"${i}"}` }] }, { role: 'tool', toolCallId: `c${i}`, toolName: 'lookup', content: `{"id":"${i}"}` }, { role: 'assistant', content: `a${i}` });
    history.push({ role: 'user', content: 'where is order 7?' });
    await run(supportAgent(seen), history, { context: lastMessages(3) });
    // Last 3 would be [tool c2?]… no: [a2, user] plus nothing that splits a group.
    expect(seen[0]!.messages.map((m) => m.content)).toEqual([SYSTEM, 'a2', 'where is order 7?']);
    expect(seen[1]!.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    for (const req of seen) expectWellFormed(req);
  });

  it('a request that cannot fit the model\'s context window fails with the sizes, before it is sent', async () => {
    setContextWindow('tiny-model', 60);
    let sent = 0;
    const model = scripted(() => {
      sent++;
      return 'never';
    }, { name: 'tiny-model' });
    const agent = new Agent({ name: 'a', instructions: 'sys', model, maxOutputTokens: 20 });
    const err = await run(agent, 'x'.repeat(300), { context: lastMessages(10) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContextTooLarge);
    expect((err as ContextTooLarge).code).toBe('CONTEXT_TOO_LARGE');
    expect((err as ContextTooLarge).limit).toBe(60);
    expect((err as ContextTooLarge).message).toMatch(/needs \d+ tokens but the context window of tiny-model is 60/);
    expect(sent).toBe(0);
    // tokenBudget fails the same way when even the newest message alone is over it.
    const tight = await run(agent, 'y'.repeat(3000), { context: tokenBudget(200) }).catch((e: unknown) => e);
    expect(tight).toBeInstanceOf(ContextTooLarge);
    expect(sent).toBe(0);
  });
});
