import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BudgetExceeded, ConfigError, OutputValidationError, RunAborted } from '../../src/core/errors.js';
import type { Model } from '../../src/core/model.js';
import { step } from '../../src/core/step.js';
import { run } from '../../src/core/run.js';
import { tool } from '../../src/core/tool.js';
import { scripted } from '../../src/models/scripted.js';
import { planAndExecute, type ExecutionPlanRequest } from '../../src/patterns/plan-and-execute.js';
import { example, fleetPlanScript, fleetResizer, fleetTools, type FleetState } from '../../examples/vend/fleet-resize.js';

const fresh = (): FleetState => ({ size: 10, queueDepth: 1840, runbook: [] });
const GOAL = 'Resize the worker fleet from 10 to 20 instances, verify the queue drains, and update the runbook.';

const planStep = (id: number, tool: string, parameters: Record<string, unknown>) => ({ step_id: id, action: `${tool} #${id}`, tool, parameters, expected_outcome: 'ok' });
const GOOD_PLAN = {
  steps: [
    planStep(1, 'check_queue_depth', { queue: 'jobs' }),
    planStep(2, 'resize_fleet', { fleet: 'workers', target_size: 20 }),
    planStep(3, 'check_queue_depth', { queue: 'jobs' }),
    planStep(4, 'update_runbook', { section: 'fleet', note: 'resized to 20' }),
  ],
};

/** A planner that answers the given plans in order and records what it was asked. */
function plannerOf(...plans: unknown[]) {
  const requests: ExecutionPlanRequest[] = [];
  const planner = step<ExecutionPlanRequest, unknown>('planner', (r) => {
    requests.push(r);
    return plans[Math.min(requests.length, plans.length) - 1];
  });
  return { planner, requests };
}

/** The same model under another id, to see which model every agent used. */
function renamed(model: Model, modelId: string): Model {
  return { provider: model.provider, modelId, generate: (r, o) => model.generate(r, o), stream: (r, o) => model.stream(r, o) };
}

describe('planAndExecute (pattern 12)', () => {
  it('plans, then executes check → resize → check → runbook through the tool runner', async () => {
    const state = fresh();
    const { output, trace } = await run(fleetResizer(fleetPlanScript(), state), GOAL);
    expect(output.status).toBe('completed');
    expect(output.steps.map((s) => `${s.step_id}:${s.tool}:${s.status}`)).toEqual([
      '1:check_queue_depth:completed', '2:resize_fleet:completed', '3:check_queue_depth:completed', '4:update_runbook:completed',
    ]);
    expect(state.size).toBe(20);
    expect(state.runbook).toHaveLength(1);
    expect(output.steps[2]!.output).toMatchObject({ draining: true, workers: 20 });
    expect(output.summary).toMatch(/^All 4 step\(s\) completed\.\n- step 1 check_queue_depth: completed/);
    // Each tool span hangs under its plan-step span; the guard's verdict is in the trace.
    const tools = trace.filter((s) => s.kind === 'tool');
    expect(tools.map((t) => trace.find((p) => p.spanId === t.parentId)!.name)).toEqual(['plan-step-1', 'plan-step-2', 'plan-step-3', 'plan-step-4']);
    expect(trace.find((s) => s.name === 'guard:resize_fleet')?.attributes.allow).toBe(true);
    expect(trace.find((s) => s.name === 'plan-approval')?.attributes.approved).toBe(true);
  });

  it('the example shows the outcome for the demo', async () => {
    const out = await example.run(example.defaultInput);
    expect(out.outcome).toBe('completed 4/4 steps');
    expect(out.actions?.map((a) => a.tool)).toEqual(['check_queue_depth', 'resize_fleet', 'check_queue_depth', 'update_runbook']);
  });

  it('sends the planner the tool enum and re-asks once with the issues; a second invalid plan runs nothing', async () => {
    let seenEnum: unknown;
    const model = scripted((req) => {
      seenEnum = (req.output?.schema as { properties: { steps: { items: { properties: { tool: { enum: string[] } } } } } }).properties.steps.items.properties.tool.enum;
      return { object: { steps: [planStep(1, 'delete_cluster', {})] } };
    });
    const state = fresh();
    const err = await run(fleetResizer(model, state), GOAL).catch((e: unknown) => e);
    expect(seenEnum).toEqual(['check_queue_depth', 'resize_fleet', 'update_runbook']);
    expect(err).toBeInstanceOf(OutputValidationError);
    expect(state.size).toBe(10);

    // Parameters are checked against each tool's own schema before anything runs.
    const bad = { steps: [planStep(1, 'check_queue_depth', { queue: 'jobs' }), planStep(2, 'resize_fleet', { fleet: 'workers', target_size: 'twenty' })] };
    const { planner, requests } = plannerOf(bad, GOOD_PLAN);
    const { output } = await run(planAndExecute(planner, fleetTools(state)), GOAL);
    expect(requests[1]!.feedback).toMatch(/step 2 \(resize_fleet\): target_size/);
    expect(output.status).toBe('completed');
    expect(output.plans).toHaveLength(1);
  });

  it('halts on a failed step (the guard blocks a resize past 2x) and the summary names it', async () => {
    const state = fresh();
    const out = await run(fleetResizer(fleetPlanScript(), state), 'Resize the worker fleet from 10 to 80 instances, verify the queue drains, and update the runbook.');
    const r = out.output;
    expect(r.status).toBe('failed');
    expect(r.failedStep).toMatchObject({ step_id: 2, tool: 'resize_fleet', status: 'failed' });
    expect(r.steps).toHaveLength(2);
    expect(r.summary).toMatch(/^Halted at step 2 \(resize_fleet: Resize the worker fleet to 80\): blocked by policy: target 80 exceeds the cap of 20/);
    expect(state.size).toBe(10);
    expect(state.runbook).toHaveLength(0);
  });

  it('re-plans once after a failure, telling the planner what failed and what already ran', async () => {
    const tooBig = { steps: [planStep(1, 'check_queue_depth', { queue: 'jobs' }), planStep(2, 'resize_fleet', { fleet: 'workers', target_size: 99 })] };
    const rest = { steps: [planStep(1, 'resize_fleet', { fleet: 'workers', target_size: 20 }), planStep(2, 'check_queue_depth', { queue: 'jobs' })] };
    const { planner, requests } = plannerOf(tooBig, rest, tooBig);
    const state = fresh();
    const { output } = await run(planAndExecute(planner, fleetTools(state), { replan: true }), GOAL);
    expect(output.status).toBe('completed');
    expect(output.replanned).toBe(true);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.feedback).toMatch(/Step 2 \(resize_fleet\) failed: blocked by policy/);
    expect(requests[1]!.completed?.map((s) => s.tool)).toEqual(['check_queue_depth']);
    expect(output.steps.map((s) => `${s.plan}:${s.tool}:${s.status}`)).toEqual([
      '0:check_queue_depth:completed', '0:resize_fleet:failed', '1:resize_fleet:completed', '1:check_queue_depth:completed',
    ]);
    expect(state.size).toBe(20);
  });

  it('a rejected plan runs no step and says why', async () => {
    const state = fresh();
    const noVerify = { steps: [planStep(1, 'resize_fleet', { fleet: 'workers', target_size: 20 })] };
    const { planner } = plannerOf(noVerify);
    const { output, trace } = await run(
      planAndExecute(planner, fleetTools(state), { approvePlan: async (p) => (p.steps.length > 1 ? { approved: true } : { approved: false, reason: 'no verification step' }) }),
      GOAL,
    );
    expect(output.status).toBe('rejected');
    expect(output.steps).toHaveLength(0);
    expect(output.summary).toBe('Plan rejected before any step ran: no verification step.');
    expect(state.size).toBe(10);
    expect(trace.some((s) => s.kind === 'tool')).toBe(false);
  });

  it('stops with BudgetExceeded (partial trace attached) when the tool budget runs out mid-plan', async () => {
    const state = fresh();
    const err = await run(fleetResizer(fleetPlanScript(), state), GOAL, { budget: { maxToolCalls: 2 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceeded);
    const trace = (err as BudgetExceeded).trace;
    expect(trace.filter((s) => s.kind === 'tool').map((s) => s.name)).toEqual(['check_queue_depth', 'resize_fleet']);
    expect(trace.some((s) => s.kind === 'budget' && s.name === 'maxToolCalls')).toBe(true);
    expect(state.size).toBe(20);
    expect(state.runbook).toHaveLength(0);
  });

  it('stops with RunAborted between steps when cancelled', async () => {
    const ctl = new AbortController();
    const probe = tool({
      name: 'check_queue_depth',
      description: 'Read queue depth.',
      input: z.object({ queue: z.string() }),
      execute: () => {
        ctl.abort('operator pressed stop');
        return { depth: 1 };
      },
    });
    const ran: string[] = [];
    const resize = tool({ name: 'resize_fleet', description: 'Resize.', input: z.object({ fleet: z.string(), target_size: z.number() }), execute: () => ran.push('resize') });
    const runbook = tool({ name: 'update_runbook', description: 'Note.', input: z.object({ section: z.string(), note: z.string() }), execute: () => ran.push('runbook') });
    const { planner } = plannerOf(GOOD_PLAN);
    const err = await run(planAndExecute(planner, [probe, resize, runbook]), GOAL, { signal: ctl.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunAborted);
    expect(ran).toEqual([]);
  });

  it('rejects bad tool lists', () => {
    const { planner } = plannerOf(GOOD_PLAN);
    expect(() => planAndExecute(planner, [])).toThrow(ConfigError);
    const [a] = fleetTools();
    expect(() => planAndExecute(planner, [a, a])).toThrow(/duplicate/);
  });

  it('uses options.model for every agent of the example', async () => {
    const out = await example.run(example.defaultInput, { model: renamed(fleetPlanScript(), 'given-model') });
    const models = out.result.trace.filter((s) => s.kind === 'model');
    expect(models.length).toBeGreaterThan(1);
    expect(models.every((s) => s.attributes.model === 'given-model')).toBe(true);
  });
});
