import { describe, expect, it } from 'vitest';
import { BudgetExceeded, ConfigError, ModelError, RunAborted, RunSuspended, StepFailed } from '../../src/core/errors.js';
import { step } from '../../src/core/step.js';
import { run } from '../../src/core/run.js';
import { lastUserMessage, scriptedByRules } from '../../src/models/scripted.js';
import { prompt } from '../../src/patterns/prompt.js';
import { assign, pipeline, sequence } from '../../src/patterns/sequence.js';
import type { Model } from '../../src/core/model.js';
import { counting } from './support.js';

type Intake = { contract: string };
type WithObligations = Intake & { obligations: string };

function stages(model: Model = scriptedByRules([
  { match: 'EXTRACT', reply: (req) => `obligations of: ${lastUserMessage(req)}` },
  { match: 'ASSESS', reply: (req) => `risks of: ${lastUserMessage(req)}` },
  { match: 'DRAFT', reply: (req) => `packet from: ${lastUserMessage(req)}` },
], { delayMs: 5 })) {
  const extract = prompt<Intake, string>({ name: 'extract', model, instructions: 'EXTRACT', input: (s) => s.contract });
  const assess = prompt<WithObligations, string>({ name: 'assess', model, instructions: 'ASSESS', input: (s) => s.obligations });
  const draft = prompt<WithObligations & { risks: string }, string>({
    name: 'draft', model, instructions: 'DRAFT', input: (s) => `${s.contract} | ${s.obligations} | ${s.risks}`,
  });
  return sequence(
    step('intake', (contract: string): Intake => ({ contract })),
    assign('obligations', extract),
    assign('risks', assess),
    assign('packet', draft),
  ).named('contract-review');
}

describe('sequence', () => {
  it('hands each stage the previous output, in order, one span per stage', async () => {
    const result = await run(stages(), 'C-1');
    expect(result.output).toEqual({
      contract: 'C-1',
      obligations: 'obligations of: C-1',
      risks: 'risks of: obligations of: C-1',
      packet: 'packet from: C-1 | obligations of: C-1 | risks of: obligations of: C-1',
    });
    const root = result.trace.find((s) => s.kind === 'run')!;
    const stageSpans = result.trace.filter((s) => s.kind === 'step' && s.parentId === root.spanId).sort((a, b) => Number(a.attributes.stage) - Number(b.attributes.stage));
    expect(stageSpans.map((s) => s.name)).toEqual(['intake', 'extract', 'assess', 'draft']);
    expect(stageSpans.map((s) => s.attributes.of)).toEqual([4, 4, 4, 4]);
    // Each stage's model call hangs under that stage's span.
    for (const s of stageSpans.slice(1)) expect(result.trace.filter((m) => m.kind === 'model' && m.parentId === s.spanId)).toHaveLength(1);
  });

  it('stops at a failed stage with StepFailed naming it; later stages never run', async () => {
    const model = scriptedByRules([
      { match: 'EXTRACT', reply: 'ok' },
      { match: 'ASSESS', reply: { error: { status: 400, message: 'bad request' } } },
      { match: 'DRAFT', reply: 'never' },
    ]);
    const err = await run(stages(model), 'C-2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailed);
    expect((err as StepFailed).step).toBe('assess');
    expect((err as StepFailed).cause).toBeInstanceOf(ModelError);
    const trace = (err as { trace: { name: string }[] }).trace;
    expect(trace.some((s) => s.name === 'draft')).toBe(false);
  });

  it('lets run-level stops through unchanged (suspension, budget)', async () => {
    const suspend = step('approve', (): string => {
      throw new RunSuspended(['approval-1']);
    });
    const s = sequence(step('a', (x: string) => x), suspend, step('b', (x: string) => x));
    // At the run's boundary a suspension is a result, not an exception.
    const res = await run(s, 'x');
    expect(res.status).toBe('suspended');
    expect(res.status === 'suspended' && res.pending).toEqual(['approval-1']);
    expect(res.trace.some((x) => x.name === 'b')).toBe(false);
  });

  it('stops with BudgetExceeded in the middle, with the partial trace attached', async () => {
    const err = await run(stages(), 'C-3', { budget: { maxModelTurns: 2 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceeded);
    expect((err as BudgetExceeded).limit).toBe('maxModelTurns');
    const trace = (err as BudgetExceeded).trace;
    const models = trace.filter((s) => s.kind === 'model' && s.status === 'ok');
    expect(models.map((s) => s.name)).toEqual(['extract', 'assess']);
    expect(trace.find((s) => s.name === 'draft' && s.kind === 'step')?.status).toBe('error');
    expect(trace.some((s) => s.kind === 'budget')).toBe(true);
  });

  it('is cancelled through the run signal: RunAborted, and no stage after it runs', async () => {
    const ac = new AbortController();
    const model = counting(
      scriptedByRules([{ match: /EXTRACT|ASSESS|DRAFT/, reply: 'text' }], { delayMs: 50 }),
      ({ calls }) => {
        if (calls === 2) ac.abort('operator stop');
      },
    );
    const err = await run(stages(model), 'C-4', { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunAborted);
    expect(model.calls).toBe(2);
    expect(model.completed).toBe(1);
    expect(model.aborted).toEqual(['ASSESS']);
  });

  it('pipeline() builds typed sequences of any length; an empty sequence is a ConfigError', async () => {
    const p = pipeline<number>('math').pipe(step('inc', (n: number) => n + 1)).pipe(step('str', (n: number) => `n=${n}`));
    expect((await run(p, 1)).output).toBe('n=2');
    expect(() => (sequence as unknown as () => void)()).toThrow(ConfigError);
  });

  it('checks stage contracts at compile time', () => {
    // Never called: the assertions are the @ts-expect-error lines, checked by tsc.
    const typeChecks = () => {
      const a = step('a', (s: string): Intake => ({ contract: s }));
      const needsObligations = step('b', (x: WithObligations) => x.obligations.length);
      // @ts-expect-error stage 2 needs `obligations`, which stage 1 does not produce
      sequence(a, needsObligations);
      // @ts-expect-error same contract through the builder
      pipeline<string>('p').pipe(a).pipe(needsObligations);
      const ok = sequence(a, assign('obligations', step('o', (x: Intake) => x.contract)), needsObligations);
      const out: Promise<number> = ok.run('x', undefined as never);
      return out;
    };
    expect(typeof typeChecks).toBe('function');
  });
});

describe('contract-review example (pattern 2)', () => {
  it('runs offline: obligations → risks → packet, each stage one model call', async () => {
    const { example, SAMPLE_CONTRACT } = await import('../../examples/vend/contract-review.js');
    const out = await example.run(SAMPLE_CONTRACT);
    expect(out.result.scripted).toBe(true);
    expect(out.answer).toMatch(/^CONTRACT REVIEW PACKET — ParcelPoint Logistics/);
    expect(out.answer).toContain('Questions for counsel:');
    const details = out.details as { obligations: string; risks: string };
    expect(details.obligations).toContain('automatically renews');
    expect(details.risks).toMatch(/auto-renewal/);
    expect(out.outcome).toMatch(/^packet drafted \(3 stages, \d+ risks\)$/);
    expect(out.result.trace.filter((s) => s.kind === 'model').map((s) => s.name)).toEqual(['extract-obligations', 'assess-risks', 'draft-review-packet']);
  });
});
