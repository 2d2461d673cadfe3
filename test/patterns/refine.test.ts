import { describe, expect, it } from 'vitest';
import { BudgetExceeded, ConfigError, RunAborted } from '../../src/core/errors.js';
import type { Model, ModelRequest } from '../../src/core/model.js';
import { step } from '../../src/core/step.js';
import { run } from '../../src/core/run.js';
import { scripted, systemPrompt, lastUserMessage } from '../../src/models/scripted.js';
import { refine, type RefineRequest, type Score, type ScoreRequest } from '../../src/patterns/refine.js';
import { example, productDescriptionRefiner, refinementScript } from '../../examples/vend/iterative-refinement.js';

/** A generator that writes "draft N" and a scorer that reads its score from a list by round. */
function fixed(scores: number[]) {
  const seen: RefineRequest<string, string>[] = [];
  const generator = step<RefineRequest<string, string>, string>('gen', (r) => {
    seen.push(r);
    return `draft ${r.round}`;
  });
  const scorer = step<ScoreRequest<string, string>, Score>('score', (r) => ({ score: scores[r.round - 1]!, feedback: `fix ${r.round}` }));
  return { generator, scorer, seen };
}

/** The same model under another id, to see which model every agent used. */
function renamed(model: Model, modelId: string): Model {
  return { provider: model.provider, modelId, generate: (r, o) => model.generate(r, o), stream: (r, o) => model.stream(r, o) };
}

describe('refine (pattern 6)', () => {
  it('refines until the score passes the threshold, with the score history and feedback passed on', async () => {
    const out = await example.run(example.defaultInput);
    const r = out.result.output as Awaited<ReturnType<ReturnType<typeof productDescriptionRefiner>['run']>>;
    expect(r.history.map((h) => h.score)).toEqual([5, 7, 9]);
    expect(r.stopReason).toBe('threshold');
    expect(r.passed).toBe(true);
    expect(r.bestRound).toBe(3);
    expect(r.best).toContain('summit');
    expect(out.outcome).toMatch(/passed 9\/10 after 3 round/);
    expect(out.result.scripted).toBe(true);
    const decisions = out.result.trace.filter((s) => s.kind === 'decision' && s.name === 'refine:score');
    expect(decisions.map((d) => d.attributes.passed)).toEqual([false, false, true]);
    expect(out.result.trace.filter((s) => s.kind === 'step' && s.name === 'writer')).toHaveLength(3);
  });

  it('hands the previous attempt and the best so far to the generator', async () => {
    const { generator, scorer, seen } = fixed([4, 6, 9]);
    await run(refine(generator, scorer, { threshold: 8 }), 'task');
    expect(seen[0]!.previous).toBeUndefined();
    expect(seen[2]!.previous).toMatchObject({ round: 2, output: 'draft 2', score: 6, feedback: 'fix 2' });
    expect(seen[2]!.best?.round).toBe(2);
  });

  it('returns the best draft, not the last, when the rounds run out below the threshold', async () => {
    const { generator, scorer } = fixed([6, 8, 7]);
    const { output } = await run(refine(generator, scorer, { threshold: 9, maxRounds: 3 }), 'task');
    expect(output.stopReason).toBe('max_rounds');
    expect(output.passed).toBe(false);
    expect(output.best).toBe('draft 2');
    expect(output.bestScore).toBe(8);
    expect(output.history.map((h) => h.score)).toEqual([6, 8, 7]);
  });

  it('returns the best so far when the budget runs out mid-refinement, and records the budget event', async () => {
    // Each round is two model turns (writer + scorer): the third writer call is refused.
    const { output, trace } = await run(productDescriptionRefiner(refinementScript()), 'Vend Thermo Bottle', { budget: { maxModelTurns: 4 } });
    expect(output.stopReason).toBe('budget');
    expect(output.budgetLimit).toBe('maxModelTurns');
    expect(output.bestScore).toBe(7);
    expect(output.history).toHaveLength(2);
    const budget = trace.find((s) => s.kind === 'budget');
    expect(budget?.name).toBe('maxModelTurns');
    expect(budget?.attributes.handledBy).toBe('refine');
  });

  it('throws BudgetExceeded with the partial trace when no draft was scored yet', async () => {
    const err = await run(productDescriptionRefiner(refinementScript()), 'Vend Thermo Bottle', { budget: { maxModelTurns: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceeded);
    const trace = (err as BudgetExceeded).trace;
    expect(trace.some((s) => s.kind === 'model' && s.name === 'writer')).toBe(true);
    expect(trace.some((s) => s.kind === 'budget')).toBe(true);
  });

  it('stops with RunAborted when the signal fires mid-round', async () => {
    const ctl = new AbortController();
    let calls = 0;
    const model = scripted(
      (req: ModelRequest) => {
        if (++calls === 3) ctl.abort('operator cancelled');
        return systemPrompt(req).includes('grade') ? { object: { score: 5, feedback: 'more' } } : `draft for ${lastUserMessage(req).slice(0, 10)}`;
      },
      { delayMs: 1 },
    );
    const err = await run(productDescriptionRefiner(model), 'Vend Thermo Bottle', { signal: ctl.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunAborted);
    expect(calls).toBe(3);
    expect((err as RunAborted & { trace: unknown[] }).trace.length).toBeGreaterThan(0);
  });

  it('rejects a bad configuration with the field named', () => {
    const { generator, scorer } = fixed([1]);
    expect(() => refine(generator, scorer, { threshold: Number.NaN })).toThrow(ConfigError);
    expect(() => refine(generator, scorer, { threshold: 8, maxRounds: 0 })).toThrow(/maxRounds/);
  });

  it('uses options.model for every agent of the example', async () => {
    const out = await example.run(example.defaultInput, { model: renamed(refinementScript(), 'given-model') });
    const models = out.result.trace.filter((s) => s.kind === 'model');
    expect(models.length).toBeGreaterThan(1);
    expect(models.every((s) => s.attributes.model === 'given-model')).toBe(true);
  });
});
