import { describe, expect, it } from 'vitest';
import { BudgetExceeded, ConfigError, OutputValidationError, RunAborted } from '../../src/core/errors.js';
import type { CallOptions, Model, ModelRequest, ModelResponse } from '../../src/core/model.js';
import { streamFromGenerate } from '../../src/core/model.js';
import type { RunContext } from '../../src/core/context.js';
import { step, type Step } from '../../src/core/step.js';
import { runStep } from '../../src/core/run-step.js';
import { run } from '../../src/core/run.js';
import { scripted, systemPrompt } from '../../src/models/scripted.js';
import { decompose, WorkerBudgetExceeded, type DecompositionRequest, type SynthesisInput, type WorkerInput, type Workstream } from '../../src/patterns/decompose.js';
import { mapLimit } from '../../src/patterns/map-limit.js';
import { prompt } from '../../src/patterns/prompt.js';
import { example, marketExpansionResearch, marketExpansionScript } from '../../examples/vend/market-expansion.js';

const ws = (name: string): Workstream => ({ name, deliverable: `${name} report`, questions: ['q1?', 'q2?'] });
const planOf = (n: number) => ({ workstreams: Array.from({ length: n }, (_, i) => ws(`ws${i + 1}`)) });
const planner = (n: number) => step<DecompositionRequest<string>, unknown>('planner', () => planOf(n));
const synth = step<SynthesisInput<string, string>, string>('synth', (s) => s.reports.map((r) => r.output).join('|'));

/** Wraps a model and records the largest number of calls in flight at once. */
function counting(model: Model) {
  const m = {
    provider: model.provider,
    modelId: model.modelId,
    inFlight: 0,
    maxInFlight: 0,
    async generate(request: ModelRequest, options?: CallOptions): Promise<ModelResponse> {
      m.inFlight++;
      m.maxInFlight = Math.max(m.maxInFlight, m.inFlight);
      try {
        return await model.generate(request, options);
      } finally {
        m.inFlight--;
      }
    },
    stream: (request: ModelRequest, options?: CallOptions) => streamFromGenerate(m, request, options),
  };
  return m;
}

/** The same model under another id, to see which model every agent used. */
function renamed(model: Model, modelId: string): Model {
  return { provider: model.provider, modelId, generate: (r, o) => model.generate(r, o), stream: (r, o) => model.stream(r, o) };
}

describe('decompose (pattern 8)', () => {
  it('plans, researches each workstream, splits the broad one once, and synthesizes', async () => {
    const out = await example.run(example.defaultInput);
    const r = out.result.output as Awaited<ReturnType<ReturnType<typeof marketExpansionResearch>['run']>>;
    expect(r.plan.workstreams.map((w) => w.name)).toEqual(['Market sizing', 'Competitive analysis', 'Regulatory constraints', 'Logistics feasibility']);
    expect(r.reports).toHaveLength(4);
    expect(r.reports[2]!.output).toMatch(/^Regulatory summary/);
    expect(r.synthesis).toContain('Poland, Spain, Canada');
    expect(out.outcome).toBe('brief from 4 workstreams, 1 split');
    expect((out.details as { splitDeeper: string[] }).splitDeeper).toEqual(['Regulatory constraints']);
    // The sub-decomposition hangs under the worker that asked for it.
    const sub = out.result.trace.find((s) => s.name === 'market-expansion:depth-1')!;
    const parent = out.result.trace.find((s) => s.spanId === sub.parentId)!;
    expect(parent.name).toBe('worker');
    expect(parent.attributes.workstream).toBe('Regulatory constraints');
  });

  it('rejects a plan outside 3–5 workstreams / 2–4 questions before any worker runs', async () => {
    let workers = 0;
    const worker = step<WorkerInput<string, string, string>, string>('worker', () => `${++workers}`);
    const err = await run(decompose(planner(2), worker, synth), 'goal').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputValidationError);
    expect((err as Error).message).toMatch(/workstreams/);
    expect(workers).toBe(0);
    const badQuestions = step<DecompositionRequest<string>, unknown>('planner', () => ({ workstreams: [ws('a'), ws('b'), { ...ws('c'), questions: ['only one?'] }] }));
    await expect(run(decompose(badQuestions, worker, synth), 'goal')).rejects.toThrow(/questions/);
  });

  it('caps recursion: past maxDepth a worker gets no decompose and must answer directly', async () => {
    const depths: number[] = [];
    const greedy: Step<WorkerInput<string, string, string>, string> = {
      name: 'greedy',
      async run(input, ctx: RunContext) {
        depths.push(input.depth);
        if (input.decompose) return (await input.decompose(`${input.workstream.name}/sub`, ctx)).synthesis;
        return `leaf@${input.depth}`;
      },
    };
    const { output } = await run(decompose(planner(3), greedy, synth, { maxDepth: 2, concurrency: 1 }), 'goal');
    expect(Math.max(...depths)).toBe(2);
    expect(depths.filter((d) => d === 2)).toHaveLength(27);
    expect(output.synthesis.split('|')).toEqual(Array(27).fill('leaf@2'));
    const flat = await run(decompose(planner(3), greedy, synth, { maxDepth: 0 }), 'goal');
    expect(flat.output.synthesis).toBe('leaf@0|leaf@0|leaf@0');
  });

  it('runs workers in parallel, never more than the concurrency limit at once', async () => {
    const model = counting(scripted((req) => (systemPrompt(req).includes('plan') ? { object: planOf(5) } : 'report'), { delayMs: 5 }));
    const worker = prompt<WorkerInput<string, string, string>, string>({ name: 'worker', model, instructions: 'research', input: (i) => i.workstream.name });
    const plannerStep = { model, instructions: 'plan the work' };
    const { output } = await run(decompose(plannerStep, worker, synth, { concurrency: 2 }), 'goal');
    expect(output.reports).toHaveLength(5);
    expect(model.maxInFlight).toBe(2);
    const wide = counting(scripted(() => 'x', { delayMs: 5 }));
    await mapLimit([1, 2, 3, 4, 5, 6], 4, (i) => wide.generate({ messages: [{ role: 'user', content: String(i) }] }));
    expect(wide.maxInFlight).toBe(4);
  });

  it('stops with BudgetExceeded and the partial trace when the budget runs out among the workers', async () => {
    const err = await run(marketExpansionResearch(marketExpansionScript(), { concurrency: 1 }), 'expand?', { budget: { maxModelTurns: 3 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceeded);
    const trace = (err as BudgetExceeded).trace;
    expect(trace.filter((s) => s.kind === 'model' && s.name === 'specialist' && s.status === 'ok')).toHaveLength(2);
    expect(trace.some((s) => s.kind === 'decision' && s.name === 'decompose:plan')).toBe(true);
    expect(trace.some((s) => s.kind === 'budget')).toBe(true);
  });


  it('a per-worker budget share stops a runaway workstream and names it (the run budget is charged too)', async () => {
    const model = scripted(() => 'note');
    const note = prompt<string, string>({ name: 'note', model, instructions: 'note' });
    const worker: Step<WorkerInput<string, string, string>, string> = {
      name: 'worker',
      async run(input, ctx: RunContext) {
        const calls = input.workstream.name === 'ws2' ? 3 : 1;
        for (let i = 0; i < calls; i++) await runStep(ctx, note, input.workstream.name);
        return 'done';
      },
    };
    const err = await run(decompose(planner(3), worker, synth, { concurrency: 1, workerBudget: { maxModelTurns: 2 } }), 'goal').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerBudgetExceeded);
    expect(err).toBeInstanceOf(BudgetExceeded);
    expect((err as WorkerBudgetExceeded).workstream).toBe('ws2');
    // ws1's call and ws2's first two ran; ws2's third was refused before it reached the model.
    expect((err as BudgetExceeded).trace.filter((s) => s.kind === 'model')).toHaveLength(3);
    expect((err as BudgetExceeded).usage).toMatchObject({ modelTurns: 3 });
    expect((err as Error).message).toMatch(/workstream "ws2" exceeded its budget share: maxModelTurns is 2/);
    // Within their shares, the workers run to the end; the run's own cap still applies across them.
    const ok = await run(decompose(planner(3), worker, synth, { workerBudget: { maxModelTurns: 3 } }), 'goal');
    expect(ok.usage.modelTurns).toBe(5);
    await expect(run(decompose(planner(3), worker, synth, { workerBudget: { maxModelTurns: 3 } }), 'goal', { budget: { maxModelTurns: 4 } })).rejects.toSatisfy(
      (e: unknown) => e instanceof BudgetExceeded && !(e instanceof WorkerBudgetExceeded),
    );
    expect(() => decompose(planner(3), worker, synth, { workerBudget: { maxModelTurns: -1 } })).toThrow(/workerBudget.maxModelTurns/);
  });
  it("a worker's budget share keeps the run's cost cap: an unpriced model fails before its first call", async () => {
    const model: Model = { ...renamed(scripted(() => 'note'), 'x'), provider: 'test-unpriced' };
    const note = prompt<string, string>({ name: 'note', model, instructions: 'note' });
    const worker: Step<WorkerInput<string, string, string>, string> = {
      name: 'worker',
      run: async (input, ctx: RunContext) => runStep(ctx, note, input.workstream.name),
    };
    const err = await run(decompose(planner(3), worker, synth, { workerBudget: { maxModelTurns: 3 } }), 'goal', { budget: { maxCostUsd: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/test-unpriced:x has no price/);
  });
  it('cancels in-flight workers on abort (RunAborted)', async () => {
    const ctl = new AbortController();
    let started = 0;
    const model = scripted(
      (req) => {
        if (systemPrompt(req).includes('plan')) return { object: planOf(4) };
        if (++started === 2) ctl.abort('strategy meeting moved');
        return 'report';
      },
      { delayMs: 2 },
    );
    const worker = prompt<WorkerInput<string, string, string>, string>({ name: 'worker', model, instructions: 'research', input: (i) => i.workstream.name });
    const plannerStep = { model, instructions: 'plan the work' };
    const err = await run(decompose(plannerStep, worker, synth, { concurrency: 2 }), 'goal', { signal: ctl.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunAborted);
    expect(started).toBe(2);
  });

  it('rejects bad options with the field named', () => {
    const worker = step<WorkerInput<string, string, string>, string>('w', () => '');
    expect(() => decompose(planner(3), worker, synth, { concurrency: 0 })).toThrow(ConfigError);
    expect(() => decompose(planner(3), worker, synth, { maxDepth: -1 })).toThrow(/maxDepth/);
  });

  it('uses options.model for every agent of the example', async () => {
    const out = await example.run(example.defaultInput, { model: renamed(marketExpansionScript(), 'given-model') });
    const models = out.result.trace.filter((s) => s.kind === 'model');
    expect(models.length).toBeGreaterThan(1);
    expect(models.every((s) => s.attributes.model === 'given-model')).toBe(true);
  });
});
