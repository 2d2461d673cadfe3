import { describe, expect, it } from 'vitest';
import { BudgetExceeded, ConfigError, ModelError, RunAborted, RunSuspended, StepFailed, TimeoutError } from '../../src/core/errors.js';
import { step } from '../../src/core/step.js';
import { run } from '../../src/core/run.js';
import { lastUserMessage, scriptedByRules, type ScriptRule } from '../../src/models/scripted.js';
import { describeBranches, parallel } from '../../src/patterns/parallel.js';
import { prompt } from '../../src/patterns/prompt.js';
import { counting } from './support.js';

const rules: ScriptRule[] = [
  { match: 'LOGS', reply: (req) => `logs view of ${lastUserMessage(req)}` },
  { match: 'METRICS', reply: (req) => `metrics view of ${lastUserMessage(req)}` },
  { match: 'DEPLOYS', reply: (req) => `deploy view of ${lastUserMessage(req)}` },
  { match: 'COMMANDER', reply: (req) => `synthesis <<${lastUserMessage(req)}>>` },
  { match: 'SLOW', reply: { text: 'slow', delayMs: 10_000 } },
  { match: 'BROKEN', reply: { error: { status: 500, message: 'upstream exploded' }, delayMs: 5 } },
];

function specialists(model = counting(scriptedByRules(rules, { delayMs: 20 })), prompts = { logs: 'LOGS', metrics: 'METRICS', deployments: 'DEPLOYS' }) {
  return {
    model,
    branches: {
      logs: prompt<string, string>({ name: 'logs', model, instructions: prompts.logs }),
      metrics: prompt<string, string>({ name: 'metrics', model, instructions: prompts.metrics }),
      deployments: prompt<string, string>({ name: 'deployments', model, instructions: prompts.deployments }),
    },
  };
}

describe('parallel', () => {
  it('runs the branches concurrently and returns their outputs (fail-fast mode)', async () => {
    const { model, branches } = specialists();
    const triage = parallel(branches, { name: 'triage' });
    const result = await run(triage, 'checkout failing');
    const out: { logs: string; metrics: string; deployments: string } = result.output;
    expect(out).toEqual({
      logs: 'logs view of checkout failing',
      metrics: 'metrics view of checkout failing',
      deployments: 'deploy view of checkout failing',
    });
    // Structural concurrency: all three calls were in flight at once.
    expect(model.maxInFlight).toBe(3);
    const root = result.trace.find((s) => s.kind === 'run')!;
    const branchSpans = result.trace.filter((s) => s.parentId === root.spanId && s.kind === 'step');
    expect(branchSpans.map((s) => s.attributes.branch).sort()).toEqual(['deployments', 'logs', 'metrics']);
  });

  it('fail-fast: the first failure cancels its siblings, which observe the abort; StepFailed names the branch', async () => {
    const { model, branches } = specialists(counting(scriptedByRules(rules)), { logs: 'SLOW', metrics: 'BROKEN', deployments: 'SLOW' });
    const err = await run(parallel(branches), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailed);
    expect((err as StepFailed).step).toBe('metrics');
    expect((err as StepFailed).cause).toBeInstanceOf(ModelError);
    expect(model.aborted).toEqual(['SLOW', 'SLOW']);
    const trace = (err as { trace: { kind: string; name: string; attributes: Record<string, unknown> }[] }).trace;
    const decision = trace.find((s) => s.name === 'parallel:cancel-siblings')!;
    expect(decision.attributes.failed).toBe('metrics');
    expect((decision.attributes.cancelled as string[]).sort()).toEqual(['deployments', 'logs']);
  });

  it("continue: a failed branch is {ok:false, error} and the synthesis input states it", async () => {
    const { branches } = specialists(counting(scriptedByRules(rules, { delayMs: 5 })), { logs: 'LOGS', metrics: 'BROKEN', deployments: 'DEPLOYS' });
    const model = scriptedByRules(rules);
    const commander = prompt<{ input: string; branches: Parameters<typeof describeBranches>[0] }, string>({
      name: 'commander', model, instructions: 'COMMANDER', input: (g) => describeBranches(g.branches),
    });
    const step3 = parallel(branches, { onError: 'continue' });
    const direct = await run(step3, 'incident');
    expect(direct.output.logs).toEqual({ ok: true, value: 'logs view of incident' });
    expect(direct.output.metrics.ok).toBe(false);
    if (!direct.output.metrics.ok) expect(direct.output.metrics.error.message).toContain('upstream exploded');
    expect(direct.trace.find((s) => s.name === 'parallel:partial')?.attributes.failed).toEqual(['metrics']);

    const synthesized = await run(step3.synthesize(commander), 'incident');
    expect(synthesized.output).toContain('metrics:\nUNAVAILABLE');
    expect(synthesized.output).toContain('upstream exploded');
    expect(synthesized.output).toContain('logs:\nlogs view of incident');
  });

  it('per-branch timeout: the slow branch fails with TimeoutError and observes its own abort', async () => {
    const { model, branches } = specialists(counting(scriptedByRules(rules, { delayMs: 5 })), { logs: 'LOGS', metrics: 'SLOW', deployments: 'DEPLOYS' });
    const result = await run(parallel(branches, { onError: 'continue', timeoutMs: { metrics: 40 } }), 'x');
    const m = result.output.metrics;
    expect(m.ok).toBe(false);
    if (!m.ok) expect(m.error).toBeInstanceOf(TimeoutError);
    expect(result.output.logs.ok && result.output.deployments.ok).toBe(true);
    expect(model.aborted).toEqual(['SLOW']);
  });

  it('suspension: siblings are not cancelled; all settle, then one merged RunSuspended', async () => {
    const { model } = specialists();
    const logs = prompt<string, string>({ name: 'logs', model, instructions: 'LOGS' });
    const wait = (id: string) => step(`approval-${id}`, (): string => {
      throw new RunSuspended([id]);
    });
    // At the run's boundary the merged suspension is a result, not an exception.
    const res = await run(parallel({ a: wait('A'), b: wait('B'), logs }), 'x');
    expect(res.status).toBe('suspended');
    expect(res.status === 'suspended' && res.pending.sort()).toEqual(['A', 'B']);
    expect(model.completed).toBe(1);
    expect(model.aborted).toEqual([]);
  });

  it('suspension + a real failure under fail-fast: the failure wins', async () => {
    const { model } = specialists(counting(scriptedByRules(rules)));
    const broken = prompt<string, string>({ name: 'broken', model, instructions: 'BROKEN' });
    const wait = step('approval', (): string => {
      throw new RunSuspended(['A']);
    });
    const err = await run(parallel({ wait, broken }), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailed);
    expect((err as StepFailed).step).toBe('broken');
  });

  it('budget exhausted in the middle: BudgetExceeded from run(), partial trace attached', async () => {
    const model = counting(scriptedByRules(rules, { delayMs: 5 }));
    // Each branch makes two calls; 4 turns allowed → the second wave trips the cap.
    const twice = (name: string, instructions: string) => {
      const p = prompt<string, string>({ name, model, instructions });
      return step(name, async (x: string, ctx) => p.run(await p.run(x, ctx), ctx));
    };
    const err = await run(parallel({ logs: twice('logs', 'LOGS'), metrics: twice('metrics', 'METRICS'), deployments: twice('deployments', 'DEPLOYS') }), 'x', {
      budget: { maxModelTurns: 4 },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceeded);
    const trace = (err as BudgetExceeded).trace;
    // The first-wave calls that finished before the cap are in the trace; the ones cut off are failed spans.
    expect(trace.filter((s) => s.kind === 'model' && s.status === 'ok').length).toBeGreaterThanOrEqual(2);
    expect(trace.filter((s) => s.kind === 'model').length).toBe(4);
    expect(trace.some((s) => s.kind === 'budget' && s.name === 'maxModelTurns')).toBe(true);
    expect(model.calls).toBe(4);
  });

  it('cancellation through the run signal: RunAborted, and every branch observes the abort', async () => {
    const ac = new AbortController();
    const model = counting(scriptedByRules(rules, { delayMs: 5_000 }), ({ inFlight }) => {
      if (inFlight === 3) queueMicrotask(() => ac.abort('operator stop'));
    });
    const { branches } = specialists(model);
    const err = await run(parallel(branches), 'x', { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunAborted);
    expect(model.aborted.sort()).toEqual(['DEPLOYS', 'LOGS', 'METRICS']);
  });

  it('rejects bad configuration with the field named', () => {
    const { branches } = specialists();
    expect(() => parallel({})).toThrow(ConfigError);
    expect(() => parallel(branches, { timeoutMs: { logs: -1 } })).toThrow(/parallel\.timeoutMs\.logs/);
    expect(() => parallel(branches, { onError: 'sometimes' as never })).toThrow(/parallel\.onError/);
  });
});

describe('incident-triage example (pattern 3)', () => {
  it('runs the three specialists concurrently, then the commander', async () => {
    const { incidentTriage, incidentScript, example } = await import('../../examples/vend/incident-triage.js');
    const model = counting(incidentScript());
    const result = await run(incidentTriage(model), example.defaultInput);
    expect(model.maxInFlight).toBe(3);
    expect(result.output.missing).toEqual([]);
    expect(result.output.synthesis).toMatch(/Confidence: high/);
    const out = await example.run(example.defaultInput);
    expect(out.outcome).toBe('synthesized from 3/3 specialists');
  });

  it('states a failed specialist to the commander instead of failing the triage', async () => {
    const { incidentTriage, incidentScript, METRIC_PROMPT } = await import('../../examples/vend/incident-triage.js');
    const base = incidentScript();
    const flaky = counting({
      provider: base.provider,
      modelId: base.modelId,
      generate: (req, opts) =>
        req.messages[0]?.content === METRIC_PROMPT ? Promise.reject(new ModelError('scripted', 'metrics backend 503', { status: 503 })) : base.generate(req, opts),
      stream: base.stream.bind(base),
    });
    const result = await run(incidentTriage(flaky), 'checkout failing');
    expect(result.output.missing).toEqual(['metrics']);
    expect(result.output.metric_analysis).toBeNull();
    expect(result.output.synthesis).toContain('missing evidence from: Metrics');
  });
});
