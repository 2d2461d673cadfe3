import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent } from '../../src/patterns/agent.js';
import { tool } from '../../src/core/tool.js';
import { step } from '../../src/core/step.js';
import { scripted, scriptedByRules } from '../../src/models/scripted.js';
import { route } from '../../src/patterns/route.js';
import { prompt } from '../../src/patterns/prompt.js';
import { parseDataset } from '../../src/evals/dataset.js';
import { evaluate, type CaseResult } from '../../src/evals/evaluate.js';
import { defineScorer } from '../../src/evals/scorer.js';

function cases(...lines: object[]) {
  return parseDataset(lines.map((l) => JSON.stringify(l)).join('\n'));
}

/** Each expectation's verdict, by its index, for one case. */
function verdicts(r: CaseResult): boolean[] {
  return r.expectations.map((e) => e.pass);
}

const lookup = tool({
  name: 'lookup',
  description: 'Look a thing up.',
  input: z.object({ id: z.string() }),
  execute: ({ id }) => ({ id, found: id !== '0' }),
});
const refund = tool({
  name: 'refund',
  description: 'Refund. Irreversible.',
  input: z.object({ amount: z.number() }),
  irreversible: true,
  guard: ({ amount }) => ({ allow: amount <= 100, reason: 'cap 100' }),
  execute: ({ amount }) => ({ refunded: amount }),
});

function agent() {
  // Looks up the id in the message; asks for a refund when the message says "refund N".
  const model = scripted((req, turn) => {
    const msg = String(req.messages.find((m) => m.role === 'user')?.content ?? '');
    if (turn === 0) {
      const calls: { name: string; args: unknown }[] = [{ name: 'lookup', args: { id: /\d+/.exec(msg)?.[0] ?? '0' } }];
      const amount = /refund (\d+)/.exec(msg)?.[1];
      if (amount) calls.push({ name: 'refund', args: { amount: Number(amount) } });
      return { toolCalls: calls };
    }
    return `Looked up ${/\d+/.exec(msg)?.[0]}. <b>done</b>`;
  });
  return new Agent({ name: 'helper', instructions: 'Help.', model, tools: [lookup, refund], maxTurns: 3 });
}

describe('built-in scorers (each one passing and failing on a real run)', () => {
  it('text scorers: exact, contains, notContains, regex, field, jsonSchema', async () => {
    const r = await evaluate(agent(), cases({
      id: 'a', input: 'item 42', expect: [
        { type: 'exact', value: 'Looked up 42. <b>done</b>' }, { type: 'exact', value: 'Looked up 43.' },
        { type: 'contains', value: ['42', 'DONE'], ignoreCase: true }, { type: 'contains', value: 'missing' },
        { type: 'notContains', value: 'secret' }, { type: 'notContains', value: '<b>' },
        { type: 'regex', pattern: '^Looked up \\d+' }, { type: 'regex', pattern: '^\\d' },
        { type: 'field', path: 'turns', equals: 2 }, { type: 'field', path: 'stopReason', matches: '^max' },
        { type: 'jsonSchema', schema: { type: 'object', required: ['id'] } },
      ],
    }));
    expect(verdicts(r.cases[0]!)).toEqual([true, false, true, false, true, false, true, false, true, false, false]);
    expect(r.cases[0]!.expectations[10]!.reason).toMatch(/not JSON/);
  });

  it('jsonSchema validates structured output', async () => {
    const structured = prompt<string, { n: number }>({ name: 'n', model: scripted([{ object: { n: 3 } }]), instructions: 'n', output: z.object({ n: z.number() }) });
    const r = await evaluate(structured, cases({
      id: 's', input: 'go', expect: [
        { type: 'jsonSchema', schema: { type: 'object', properties: { n: { type: 'number', maximum: 5 } }, required: ['n'] } },
        { type: 'jsonSchema', schema: { type: 'object', properties: { n: { type: 'number', maximum: 2 } } } },
      ],
    }));
    expect(verdicts(r.cases[0]!)).toEqual([true, false]);
  });

  it('trace scorers: toolCalled (args, times, ok), toolNotCalled (executed vs attempted)', async () => {
    const r = await evaluate(agent(), cases({
      id: 't', input: 'item 7 refund 500', expect: [
        { type: 'toolCalled', tool: 'lookup', args: { id: '7' }, times: 1, ok: true },
        { type: 'toolCalled', tool: 'lookup', args: { id: '8' } },
        { type: 'toolCalled', tool: 'refund', ok: true },
        { type: 'toolNotCalled', tool: 'refund' },
        { type: 'toolNotCalled', tool: 'refund', attempted: true },
        { type: 'toolCalled', tool: 'refund', times: 1 },
      ],
    }));
    // The guard refused the 500 refund: attempted once, executed never.
    expect(verdicts(r.cases[0]!)).toEqual([true, false, false, true, false, true]);
  });

  it('routeEquals and decision read the trace of a route', async () => {
    const model = scriptedByRules([
      { match: 'Route', reply: (req) => ({ object: /bill/.test(String(req.messages.at(-1)?.content)) ? { specialist: 'billing', reason: 'bill', confidence: 0.9 } : { specialist: 'billing', reason: '?', confidence: 0.2 } }) },
      { match: 'You bill', reply: 'billing here' },
    ]);
    const coordinator = route({ model, instructions: 'Route it.' }, { billing: prompt({ name: 'billing', model, instructions: 'You bill.' }) }, {
      fallback: step('human', () => 'a human will call'), minConfidence: 0.5,
    });
    const r = await evaluate(coordinator, cases(
      { id: 'bill', input: 'my bill', expect: [{ type: 'routeEquals', route: 'billing' }, { type: 'routeEquals', route: 'fallback' }, { type: 'decision', name: 'route' }, { type: 'decision', name: 'route', present: false }] },
      { id: 'vague', input: 'hmm', expect: [{ type: 'routeEquals', route: 'fallback' }] },
    ));
    expect(verdicts(r.cases[0]!)).toEqual([true, false, true, false]);
    expect(verdicts(r.cases[1]!)).toEqual([true]);
  });

  it('approvalRequested: a call refused for want of an approval gate, and its absence', async () => {
    const payout = tool({ name: 'payout', description: 'Pay.', input: z.object({}), irreversible: true, approval: true, execute: () => 'paid' });
    const model = scripted([{ toolCalls: [{ name: 'payout', args: {} }] }, 'ok']);
    const r = await evaluate(new Agent({ name: 'p', instructions: 'p', model, tools: [payout] }), cases(
      { id: 'p', input: 'pay', expect: [{ type: 'approvalRequested' }, { type: 'approvalRequested', tool: 'payout' }, { type: 'approvalRequested', value: false }] },
    ));
    expect(verdicts(r.cases[0]!)).toEqual([true, true, false]);
    const plain = await evaluate(agent(), cases({ id: 'q', input: 'item 1', expect: [{ type: 'approvalRequested' }, { type: 'approvalRequested', value: false }] }));
    expect(verdicts(plain.cases[0]!)).toEqual([false, true]);
  });

  it('guardrailTripped reads a GuardrailTripped error or a guardrail decision', async () => {
    class GuardrailTripped extends Error {
      override name = 'GuardrailTripped';
    }
    const blocked = step('blocked', (_: string, ctx) => {
      ctx.tracer.event('decision', 'guardrail:pii', ctx.spanId, { tripped: true });
      throw new GuardrailTripped('pii: the input holds a card number');
    });
    const r = await evaluate(blocked, cases({ id: 'g', input: '4111 1111', expect: [{ type: 'guardrailTripped' }, { type: 'guardrailTripped', name: 'pii' }, { type: 'guardrailTripped', name: 'tone' }, { type: 'error', name: 'GuardrailTripped' }] }));
    expect(verdicts(r.cases[0]!)).toEqual([true, true, false, true]);
    expect(r.cases[0]!.error?.name).toBe('GuardrailTripped');
  });

  it('cost, turns and latency; a budget stop is scored, not dropped', async () => {
    const r = await evaluate(agent(), cases(
      { id: 'ok', input: 'item 3', expect: [{ type: 'turnsUnder', max: 2 }, { type: 'turnsUnder', max: 1 }, { type: 'costUnder', maxUsd: 0 }, { type: 'latencyUnder', maxMs: 60_000 }] },
      { id: 'capped', input: 'item 3', budget: { maxModelTurns: 1 }, expect: [{ type: 'error', name: 'BudgetExceeded' }, { type: 'contains', value: 'Looked' }] },
    ));
    expect(verdicts(r.cases[0]!)).toEqual([true, false, true, true]);
    const capped = r.cases[1]!;
    expect(verdicts(capped)).toEqual([true, false]);
    expect(capped.usage?.modelTurns).toBe(1);
    expect(capped.trace.some((s) => s.kind === 'model')).toBe(true);
  });

  it('a user scorer in a few lines, and a scorer that throws fails only its expectation', async () => {
    const polite = defineScorer('polite', (run) => ({ pass: !/stupid/i.test(run.text), reason: 'no insults' }));
    const broken = defineScorer('broken', () => {
      throw new Error('boom');
    });
    const r = await evaluate(agent(), cases({ id: 'u', input: 'item 5', expect: [{ type: 'polite' }, { type: 'broken' }] }), [polite, broken]);
    expect(verdicts(r.cases[0]!)).toEqual([true, false]);
    expect(r.cases[0]!.expectations[1]!.reason).toMatch(/broken scorer failed: boom/);
  });
});
