import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { BudgetExceeded, ConfigError, RunAborted } from '../../src/core/errors.js';
import { step } from '../../src/core/step.js';
import { runStep } from '../../src/core/run-step.js';
import { run } from '../../src/core/run.js';
import { lastUserMessage, scriptedByRules } from '../../src/models/scripted.js';
import { loop, type LoopRound } from '../../src/patterns/loop.js';
import { prompt } from '../../src/patterns/prompt.js';
import type { Model } from '../../src/core/model.js';
import { counting } from './support.js';

const Verdict = z.object({ passes: z.boolean(), reason: z.string(), remaining_issues: z.array(z.string()) });
type Verdict = z.infer<typeof Verdict>;
type Round = { plan: string; verdict: Verdict };

/** The proposer improves only when it sees feedback; the judge passes only the improved plan. */
function rules(passAt = 'v2') {
  return [
    { match: 'PROPOSE', reply: (req: Parameters<typeof lastUserMessage>[0]) => (lastUserMessage(req).includes('Reviewer feedback') ? 'plan v2' : 'plan v1') },
    {
      match: 'JUDGE',
      reply: (req: Parameters<typeof lastUserMessage>[0]) => {
        const ok = lastUserMessage(req).includes(`plan ${passAt}`);
        return { object: { passes: ok, reason: ok ? 'fine' : 'drops rows', remaining_issues: ok ? [] : ['do not drop rows'] } };
      },
    },
  ];
}

function repairLoop(model: Model = scriptedByRules(rules(), { delayMs: 5 }), maxRounds = 3) {
  const propose = prompt<LoopRound<string, Round>, string>({
    name: 'propose',
    model,
    instructions: 'PROPOSE',
    input: (r) => `Profile: ${r.input}${r.previous ? `\nReviewer feedback (round ${r.round - 1}): ${JSON.stringify(r.previous.verdict)}` : ''}`,
  });
  const judge = prompt<string, Verdict>({ name: 'judge', model, instructions: 'JUDGE', output: Verdict });
  const body = step('propose-and-judge', async (r: LoopRound<string, Round>, ctx): Promise<Round> => {
    const plan = await runStep(ctx, propose, r);
    return { plan, verdict: await runStep(ctx, judge, plan) };
  });
  return loop(body, { until: (o) => o.verdict.passes, maxRounds, name: 'repair' });
}

describe('loop', () => {
  it('carries feedback into the next round and stops when the condition holds', async () => {
    const result = await run(repairLoop(), 'profile');
    expect(result.output.passed).toBe(true);
    expect(result.output.rounds).toBe(2);
    expect(result.output.output.plan).toBe('plan v2');
    expect(result.output.history.map((h) => h.verdict.passes)).toEqual([false, true]);
    const verdicts = result.trace.filter((s) => s.name === 'loop:verdict');
    expect(verdicts.map((s) => [s.attributes.round, s.attributes.passed])).toEqual([[1, false], [2, true]]);
    const root = result.trace.find((s) => s.kind === 'run')!;
    expect(verdicts.every((s) => s.parentId === root.spanId)).toBe(true);
    const rounds = result.trace.filter((s) => s.name === 'propose-and-judge');
    expect(rounds.map((s) => s.attributes.round)).toEqual([1, 2]);
  });

  it('stops at maxRounds with passed=false when the condition never holds', async () => {
    const result = await run(repairLoop(scriptedByRules(rules('v9')), 3), 'profile');
    expect(result.output).toMatchObject({ passed: false, rounds: 3 });
    expect(result.output.history).toHaveLength(3);
    expect(result.trace.some((s) => s.name === 'loop:max-rounds')).toBe(true);
  });

  it('refuses a loop without a stop condition or a round cap (ConfigError naming the field)', () => {
    const body = step('b', (r: LoopRound<number, number>) => r.round);
    expect(() => loop(body, { maxRounds: 3 } as never)).toThrow(expect.objectContaining({ field: 'loop.until' }));
    expect(() => loop(body, { until: () => true } as never)).toThrow(expect.objectContaining({ field: 'loop.maxRounds' }));
    expect(() => loop(body, { until: () => true, maxRounds: 0 })).toThrow(ConfigError);
    expect(() => loop(body, { until: () => true, maxRounds: 1.5 })).toThrow(ConfigError);
  });

  it('refuses a stop condition that is not a synchronous boolean', async () => {
    const l = loop(step('b', (r: LoopRound<number, number>) => r.round), { until: (async () => true) as never, maxRounds: 2 });
    await expect(run(l, 1)).rejects.toMatchObject({ field: 'loop.until' });
  });

  it('stops with BudgetExceeded in round 2, round 1 spans in the partial trace', async () => {
    const err = await run(repairLoop(), 'profile', { budget: { maxModelTurns: 3 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceeded);
    const trace = (err as BudgetExceeded).trace;
    expect(trace.filter((s) => s.kind === 'model' && s.status === 'ok').map((s) => s.name)).toEqual(['propose', 'judge', 'propose']);
    expect(trace.filter((s) => s.name === 'loop:verdict')).toHaveLength(1);
  });

  it('is cancelled through the run signal in the middle of a round', async () => {
    const ac = new AbortController();
    const model = counting(scriptedByRules(rules(), { delayMs: 20 }), ({ calls }) => {
      if (calls === 3) ac.abort('operator stop');
    });
    const err = await run(repairLoop(model), 'profile', { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunAborted);
    expect(model.calls).toBe(3);
    expect(model.aborted).toEqual(['PROPOSE']);
    expect((err as { trace: { name: string }[] }).trace.filter((s) => s.name === 'loop:verdict')).toHaveLength(1);
  });
});

describe('data-quality example (pattern 4)', () => {
  it('fails the judge in round 1, passes in round 2 with the feedback applied', async () => {
    const { example } = await import('../../examples/vend/data-quality.js');
    const out = await example.run(example.defaultInput);
    expect(out.outcome).toBe('passed after 2 rounds');
    const d = out.details as { verdicts: { passes: boolean; remaining_issues: string[] }[] };
    expect(d.verdicts.map((v) => v.passes)).toEqual([false, true]);
    expect(d.verdicts[0]!.remaining_issues.join(' ')).toMatch(/dropna/);
    expect(out.answer).not.toMatch(/dropna|drop\(columns/);
    // Round 2's proposal was given round 1's verdict.
    const planCalls = out.result.trace.filter((s) => s.kind === 'model' && s.name === 'propose-plan');
    expect(planCalls).toHaveLength(2);
  });
});
