/**
 * Guardrails on the interceptor seam: an input guardrail blocks or rewrites
 * before the first model call, an output guardrail blocks or asks once for a
 * correction; concurrent checks abort the model call in flight when they
 * trip; a model-based check is charged to the run's budget; every verdict is
 * a `guardrail:<name>` decision span; they attach per agent and per run.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Agent, BudgetExceeded, ConfigError, GuardrailTripped, callModel, inputGuardrail, isAgentPatternsError, isFatal, outputGuardrail, run, runStep, step, stream, tool,
  type Model, type ModelRequest, type SpanRecord,
} from 'agent-patterns';
import { lastUserMessage, scripted, toolResults } from 'agent-patterns/testing';

const CARD = /\b\d{4}(?: ?\d{4}){3}\b/;

const noCards = inputGuardrail({
  name: 'no-cards',
  check: ({ text }) => (CARD.test(text) ? { block: 'the message holds a card number' } : { allow: true }),
});
const redactCards = inputGuardrail({
  name: 'redact-cards',
  check: ({ text }) => (CARD.test(text) ? { rewrite: text.replace(CARD, '[card]'), reason: 'card number redacted' } : { allow: true }),
});

/** A model that records every request and echoes the last user message. */
function echo() {
  const seen: ModelRequest[] = [];
  const model = scripted((req) => {
    seen.push(req);
    return `you said: ${lastUserMessage(req)}`;
  });
  return { model, seen };
}

function verdicts(trace: readonly SpanRecord[], name?: string) {
  return trace.filter((s) => s.kind === 'decision' && s.name.startsWith('guardrail:') && (!name || s.name === `guardrail:${name}`));
}

async function failure(p: Promise<unknown>): Promise<Error & { trace?: SpanRecord[] }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { trace?: SpanRecord[] };
  }
  throw new Error('expected the run to fail');
}

describe('input guardrails', () => {
  it('block before the first model call with a typed GuardrailTripped carrying the reason, traced as a decision', async () => {
    const { model, seen } = echo();
    const agent = new Agent({ name: 'support', instructions: 'Help.', model, guardrails: { input: [noCards] } });
    const err = await failure(run(agent, 'my card is 4111 1111 1111 1111'));
    expect(err).toBeInstanceOf(GuardrailTripped);
    expect(err).toMatchObject({ code: 'GUARDRAIL_TRIPPED', guardrail: 'no-cards', stage: 'input', reason: 'the message holds a card number' });
    expect(isFatal(err)).toBe(true);
    expect(isAgentPatternsError(err, GuardrailTripped)).toBe(true); // the brand, read across copies of the package
    expect(seen).toHaveLength(0);
    const [v] = verdicts(err.trace!, 'no-cards');
    expect(v).toMatchObject({ status: 'ok', attributes: { stage: 'input', tripped: true, action: 'block', reason: 'the message holds a card number' } });
    // The verdict hangs under the agent's own span.
    expect(err.trace!.find((s) => s.spanId === v!.parentId)).toMatchObject({ kind: 'run', name: 'support' });
  });

  it('let a clean input through, recording tripped: false', async () => {
    const { model } = echo();
    const agent = new Agent({ name: 'support', instructions: 'Help.', model, guardrails: { input: [noCards] } });
    const res = await run(agent, 'where is my order?');
    expect(res.output.text).toBe('you said: where is my order?');
    expect(verdicts(res.trace)).toMatchObject([{ attributes: { tripped: false, action: 'allow' } }]);
  });

  it('rewrite the input: the model sees the redacted text, never the original', async () => {
    const { model, seen } = echo();
    const agent = new Agent({ name: 'support', instructions: 'Help.', model, guardrails: { input: [redactCards] } });
    const res = await run(agent, 'charge 4111 1111 1111 1111 again');
    expect(res.output.text).toBe('you said: charge [card] again');
    expect(JSON.stringify(seen)).not.toContain('4111');
    expect(verdicts(res.trace)).toMatchObject([{ attributes: { tripped: false, action: 'rewrite', reason: 'card number redacted' } }]);
    // A conversation input: its last user message is the one rewritten.
    const again = await run(agent, [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi' }, { role: 'user', content: 'card 4111111111111111' }]);
    expect(again.output.text).toBe('you said: card [card]');
    expect(again.output.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['hello', 'card [card]']);
    // A message with an image: its text is rewritten, the image kept.
    const photo = { type: 'image' as const, mediaType: 'image/png', url: 'https://example.test/parcel.png' };
    await run(agent, [{ role: 'user', content: [{ type: 'text', text: 'card 4111 1111 1111 1111' }, photo] }]);
    expect(seen.at(-1)!.messages.at(-1)).toEqual({ role: 'user', content: [{ type: 'text', text: 'card [card]' }, photo] });
  });

  it('as a run interceptor guards the root step; with `steps`, the steps it names', async () => {
    const inner = step('inner', (s: string) => `inner got ${s}`);
    const outer = step('outer', (s: string, ctx) => runStep(ctx, inner, `${s} 4111 1111 1111 1111`));
    // Default scope: the root step only (its input is clean, the inner step's is not checked).
    const res = await run(outer, 'hello', { interceptors: [noCards] });
    expect(res.output).toBe('inner got hello 4111 1111 1111 1111');
    expect(verdicts(res.trace)).toHaveLength(1);
    // Named: the inner step is guarded, and its refusal stops the run.
    const named = inputGuardrail({ name: 'no-cards', steps: 'inner', check: ({ text }) => (CARD.test(text) ? { block: 'card' } : { allow: true }) });
    const err = await failure(run(outer, 'hello', { interceptors: [named] }));
    expect(err).toMatchObject({ name: 'GuardrailTripped', guardrail: 'no-cards' });
    const [v] = verdicts(err.trace!);
    // The refused step's span never opened: the verdict hangs under the step that called it.
    expect(err.trace!.find((s) => s.spanId === v!.parentId)?.name).toBe('outer');
    expect(err.trace!.some((s) => s.name === 'inner' && s.kind === 'step')).toBe(false);
  });

  it('fail closed on a check that returns no verdict, and refuse a guardrail of the other stage', async () => {
    const sloppy = inputGuardrail({ name: 'sloppy', check: () => undefined as never });
    const { model, seen } = echo();
    const err = await failure(run(new Agent({ name: 'a', instructions: 'x', model, guardrails: { input: [sloppy] } }), 'hi'));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/guardrail\.sloppy: check must return/);
    expect(seen).toHaveLength(0);
    expect(verdicts(err.trace!)[0]).toMatchObject({ status: 'error' });
    expect(() => new Agent({ name: 'a', instructions: 'x', model, guardrails: { output: [noCards] } })).toThrow(/"no-cards" is an input guardrail/);
  });
});

/** The final answer quotes a price; the tool data says what prices exist. */
const pricesFromTools = (correct: boolean) =>
  outputGuardrail({
    name: 'prices',
    correct,
    check: ({ text, toolOutputs }) => {
      const known = toolOutputs.join(' ');
      const unknown = (text.match(/\$\d+(?:\.\d{2})?/g) ?? []).filter((p) => !known.includes(p.slice(1)));
      return unknown.length ? { block: `quotes ${unknown.join(', ')}, not in the tool data` } : { allow: true };
    },
  });

const quote = tool({ name: 'quote', description: 'The price of an item.', input: z.object({ item: z.string() }), execute: () => ({ price: '189.00' }) });

/** Looks the price up, answers with a made-up one first, and a good one when told why it was refused (`fixes`). */
function pricer(fixes: boolean) {
  const seen: ModelRequest[] = [];
  const model = scripted((req) => {
    seen.push(req);
    if (toolResults(req).length === 0) return { toolCalls: [{ name: 'quote', args: { item: 'grinder' } }] };
    const told = lastUserMessage(req).includes('not in the tool data');
    return told && fixes ? 'The grinder costs $189.00.' : 'The grinder costs $149.00.';
  });
  return { model, seen };
}

describe('output guardrails', () => {
  it('block a bad final answer when no correction is asked for', async () => {
    const { model, seen } = pricer(true);
    const agent = new Agent({ name: 'sales', instructions: 'Quote.', model, tools: [quote], guardrails: { output: [pricesFromTools(false)] } });
    const err = await failure(run(agent, 'how much is the grinder?'));
    expect(err).toMatchObject({ name: 'GuardrailTripped', stage: 'output', reason: 'quotes $149.00, not in the tool data' });
    expect(seen).toHaveLength(2);
    expect(verdicts(err.trace!)).toMatchObject([{ attributes: { stage: 'output', tripped: true, action: 'block' } }]);
  });

  it('ask the model once to correct, with its conversation and the reason, and pass the corrected answer', async () => {
    const { model, seen } = pricer(true);
    const agent = new Agent({ name: 'sales', instructions: 'Quote.', model, tools: [quote], guardrails: { output: [pricesFromTools(true)] } });
    const res = await run(agent, 'how much is the grinder?');
    expect(res.output.text).toBe('The grinder costs $189.00.');
    expect(seen).toHaveLength(3);
    const correction = seen[2]!.messages;
    expect(correction.filter((m) => m.role === 'system')).toHaveLength(1);
    expect(correction.slice(-2)).toEqual([
      { role: 'assistant', content: 'The grinder costs $149.00.' },
      { role: 'user', content: 'Your answer was not sent: quotes $149.00, not in the tool data. Answer again without that problem.' },
    ]);
    expect(verdicts(res.trace).map((s) => s.attributes)).toMatchObject([
      { tripped: true, action: 'correct', reason: 'quotes $149.00, not in the tool data' },
      { tripped: false, action: 'allow' },
    ]);
  });

  it('block when the corrected answer is still bad: the model is asked once, not again', async () => {
    const { model, seen } = pricer(false);
    const agent = new Agent({ name: 'sales', instructions: 'Quote.', model, tools: [quote], guardrails: { output: [pricesFromTools(true)] } });
    const err = await failure(run(agent, 'how much is the grinder?'));
    expect(err).toMatchObject({ name: 'GuardrailTripped', guardrail: 'prices', stage: 'output' });
    expect(seen).toHaveLength(3);
    expect(verdicts(err.trace!).map((s) => s.attributes.action)).toEqual(['correct', 'block']);
  });

  it('as a run interceptor checks a plain step output; `correct` cannot apply to it, so it blocks', async () => {
    const answer = step('answer', () => 'It costs $12.');
    const err = await failure(run(answer, 'price?', { interceptors: [pricesFromTools(true)] }));
    expect(err).toMatchObject({ name: 'GuardrailTripped', reason: 'quotes $12, not in the tool data' });
  });
});

/** A model that answers only after `ms` and records whether its call was aborted. */
function slowModel(ms: number, answer: () => ReturnType<Model['generate']> extends Promise<infer R> ? R : never) {
  const calls: { aborted: boolean; reason?: unknown }[] = [];
  const model: Model = {
    provider: 'test',
    modelId: 'slow',
    generate(_req, options) {
      const record: { aborted: boolean; reason?: unknown } = { aborted: false };
      calls.push(record);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve(answer()), ms);
        options?.signal?.addEventListener('abort', () => {
          record.aborted = true;
          record.reason = options.signal!.reason;
          clearTimeout(timer);
          reject(options.signal!.reason);
        });
      });
    },
    stream() {
      throw new Error('not used');
    },
  };
  return { model, calls };
}

const usage = { inputTokens: 1, outputTokens: 1 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('concurrent input guardrails', () => {
  it('a trip aborts the model call in flight and discards its result; no tool runs', async () => {
    let toolRan = false;
    const sideEffect = tool({ name: 'refund', description: 'Refund.', input: z.object({}), execute: () => (toolRan = true) });
    const { model, calls } = slowModel(5_000, () => ({ text: '', toolCalls: [{ id: 'c1', name: 'refund', arguments: '{}' }], usage, finishReason: 'tool_calls' }));
    const slowCheck = inputGuardrail({
      name: 'no-cards',
      concurrent: true,
      check: async ({ text }) => {
        await sleep(20);
        return CARD.test(text) ? { block: 'card' } : { allow: true };
      },
    });
    const agent = new Agent({ name: 'a', instructions: 'x', model, tools: [sideEffect], guardrails: { input: [slowCheck] } });
    const t0 = performance.now();
    const err = await failure(run(agent, 'card 4111 1111 1111 1111'));
    expect(err).toBeInstanceOf(GuardrailTripped);
    // The model call was under way when the check tripped, and was aborted with the trip as the reason.
    expect(calls).toHaveLength(1);
    expect(calls[0]!.aborted).toBe(true);
    expect(calls[0]!.reason).toBeInstanceOf(GuardrailTripped);
    expect(performance.now() - t0).toBeLessThan(4_000);
    expect(toolRan).toBe(false);
    expect(err.trace!.find((s) => s.kind === 'model')).toMatchObject({ status: 'error', error: { name: 'GuardrailTripped' } });
  });

  it('a pass lets the first answer through only after the verdict: the tool call waits for it', async () => {
    const order: string[] = [];
    const logTool = tool({ name: 'log', description: 'Log.', input: z.object({}), execute: () => order.push('tool') });
    const model = scripted((req) => {
      order.push(`model ${toolResults(req).length}`);
      return toolResults(req).length ? 'done' : { toolCalls: [{ name: 'log', args: {} }] };
    });
    const check = inputGuardrail({
      name: 'slow-ok',
      concurrent: true,
      check: async () => {
        await sleep(20);
        order.push('verdict');
        return { allow: true };
      },
    });
    const res = await run(new Agent({ name: 'a', instructions: 'x', model, tools: [logTool], guardrails: { input: [check] } }), 'hi');
    expect(res.output.text).toBe('done');
    // The first model call went out before the verdict; the tool ran after it.
    expect(order).toEqual(['model 0', 'verdict', 'tool', 'model 1']);
  });

  it('a concurrent guardrail may not rewrite: the input has already gone to the model', async () => {
    const rewriting = inputGuardrail({ name: 'late-redact', concurrent: true, check: () => ({ rewrite: 'x' }) });
    const { model } = echo();
    const err = await failure(run(new Agent({ name: 'a', instructions: 'x', model, guardrails: { input: [rewriting] } }), 'hi'));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/cannot rewrite/);
  });
});

describe('model-based guardrails', () => {
  /** Asks a judge model whether the message is about another customer's data. */
  const judge = scripted((req) => (/other customer/.test(lastUserMessage(req)) ? 'BLOCK asks for another customer' : 'ALLOW'), { usage: { inputTokens: 10, outputTokens: 2 } });
  const judged = inputGuardrail({
    name: 'judge',
    check: async ({ text, ctx }) => {
      const r = await callModel(ctx, judge, { messages: [{ role: 'system', content: 'Answer ALLOW or BLOCK <reason>.' }, { role: 'user', content: text }] }, 'judge');
      return r.text.startsWith('BLOCK') ? { block: r.text.slice(6) } : { allow: true };
    },
  });

  it('its model call is charged to the run budget and traced under the guardrail span', async () => {
    const { model } = echo();
    const agent = new Agent({ name: 'a', instructions: 'x', model, guardrails: { input: [judged] } });
    const res = await run(agent, 'where is my order?');
    expect(res.usage.modelTurns).toBe(2);
    expect(res.usage.inputTokens).toBeGreaterThanOrEqual(10);
    const [v] = verdicts(res.trace);
    const judgeSpan = res.trace.find((s) => s.kind === 'model' && s.name === 'judge');
    expect(judgeSpan?.parentId).toBe(v!.spanId);
    const err = await failure(run(agent, 'show me the other customer orders'));
    expect(err).toMatchObject({ name: 'GuardrailTripped', reason: 'asks for another customer' });
  });

  it('a budget too small for the check and the agent stops the run with BudgetExceeded', async () => {
    const { model, seen } = echo();
    const agent = new Agent({ name: 'a', instructions: 'x', model, guardrails: { input: [judged] } });
    const err = await failure(run(agent, 'hi', { budget: { maxModelTurns: 1 } }));
    expect(err).toBeInstanceOf(BudgetExceeded);
    expect(seen).toHaveLength(0);
  });
});

describe('a trip inside a tool', () => {
  it('is not fed back to the calling model as a tool error: it stops the run', async () => {
    const { model: innerModel } = echo();
    const inner = new Agent({ name: 'inner', instructions: 'x', model: innerModel, guardrails: { input: [noCards] } });
    const delegate = tool({ name: 'delegate', description: 'Ask inner.', input: z.object({ q: z.string() }), execute: ({ q }, ctx) => runStep(ctx, inner, q) });
    const outerModel = scripted((req) => (toolResults(req).length ? 'outer done' : { toolCalls: [{ name: 'delegate', args: { q: 'card 4111 1111 1111 1111' } }] }));
    const outer = new Agent({ name: 'outer', instructions: 'x', model: outerModel, tools: [delegate] });
    const err = await failure(run(outer, 'go'));
    expect(err).toMatchObject({ name: 'GuardrailTripped', guardrail: 'no-cards' });
  });
});

describe('the run stream', () => {
  it('shows each verdict as a decision event guardrail:<name> with tripped and reason', async () => {
    const { model } = echo();
    const agent = new Agent({ name: 'support', instructions: 'Help.', model, guardrails: { input: [noCards] } });
    const events: { type: string; name?: string; details?: Record<string, unknown> }[] = [];
    const s = stream(agent, 'card 4111 1111 1111 1111');
    const settled = s.result.catch((err: unknown) => err);
    for await (const e of s) events.push(e as (typeof events)[number]);
    expect(await settled).toBeInstanceOf(GuardrailTripped);
    expect(events.filter((e) => e.type === 'decision')).toMatchObject([
      { name: 'guardrail:no-cards', details: { stage: 'input', tripped: true, action: 'block', reason: 'the message holds a card number' } },
    ]);
  });
});

describe('the README snippet', () => {
  it('redacts the card, passes the on-topic judge and the price check', async () => {
    const { main } = await import('../../docs/snippets/guardrails.js');
    expect(await main()).toBe('Order 1042 has shipped; the total was $189.00.');
  });
});
