/**
 * Pattern 12 — plan-and-execute. DevOps asks, in plain language, for a
 * fleet resize with verification and a runbook update. A planner writes the
 * whole plan up front (tools from a fixed enum, parameters checked against
 * each tool's schema), a deterministic policy approves it, and the steps run
 * one at a time through the tool runner. resize_fleet is irreversible and
 * guarded: at most double the current size and never above 50 instances.
 */
import { z } from 'zod';
import { type Model, type ModelRequest, run, tool, planAndExecute, EXECUTION_PLANNER_INSTRUCTIONS, type ExecutionPlan, type PlanApproval, type SummaryInput, prompt } from 'agent-patterns';
import { lastUserMessage, scriptedByRules } from 'agent-patterns/testing';
import { textOf } from 'agent-patterns/models';
import type { VendExample } from './types.js';

export const PLANNER_PROMPT = EXECUTION_PLANNER_INSTRUCTIONS;
export const SUMMARY_PROMPT = 'Summarize the execution results. Flag any steps that did not complete as expected.';
export const MAX_FLEET_SIZE = 50;

/** A small in-memory stand-in for the infrastructure API: one fleet, one queue, one runbook. */
export interface FleetState {
  size: number;
  queueDepth: number;
  runbook: string[];
}

export function fleetTools(state: FleetState = { size: 10, queueDepth: 1840, runbook: [] }) {
  const checkQueueDepth = tool({
    name: 'check_queue_depth',
    description: 'Read the current depth of a job queue and whether it is draining. Read-only.',
    input: z.object({ queue: z.string().min(1) }),
    execute: ({ queue }) => ({ queue, depth: state.queueDepth, workers: state.size, draining: state.queueDepth < 500 }),
  });
  const resizeFleet = tool({
    name: 'resize_fleet',
    description: `Set the worker fleet to target_size instances. Irreversible in effect (jobs are rescheduled). At most double the current size, never above ${MAX_FLEET_SIZE}.`,
    input: z.object({ fleet: z.string().min(1), target_size: z.number().int().min(1) }),
    irreversible: true,
    guard: ({ target_size }) => {
      const cap = Math.min(state.size * 2, MAX_FLEET_SIZE);
      return target_size <= cap
        ? { allow: true, reason: `${target_size} is within the cap of ${cap}` }
        : { allow: false, reason: `target ${target_size} exceeds the cap of ${cap} (max 2x the current ${state.size}, max ${MAX_FLEET_SIZE})` };
    },
    execute: ({ fleet, target_size }) => {
      const from = state.size;
      state.size = target_size;
      // More workers drain the backlog proportionally (a simulation, not a promise).
      state.queueDepth = Math.round((state.queueDepth * from) / target_size / 3);
      return { fleet, from, to: target_size, status: 'resized' };
    },
  });
  const updateRunbook = tool({
    name: 'update_runbook',
    description: 'Append a dated change note to a section of the operations runbook.',
    input: z.object({ section: z.string().min(1), note: z.string().min(5) }),
    execute: ({ section, note }) => {
      state.runbook.push(`[${section}] ${note}`);
      return { section, updated: true, entries: state.runbook.length };
    },
  });
  return [checkQueueDepth, resizeFleet, updateRunbook] as const;
}

/** Plans that change the fleet must verify afterwards: a resize with no later queue check is rejected. */
export function verifyAfterResize(plan: ExecutionPlan): PlanApproval {
  const resize = plan.steps.findIndex((s) => s.tool === 'resize_fleet');
  if (resize < 0) return { approved: true, reason: 'no fleet change' };
  const verified = plan.steps.slice(resize + 1).some((s) => s.tool === 'check_queue_depth');
  return verified ? { approved: true, reason: 'resize is followed by a queue check' } : { approved: false, reason: 'resize_fleet must be followed by check_queue_depth' };
}

/**
 * The scripted planner reads the goal: the target size ("to N"), whether to skip the verification or the
 * runbook, and a restart it has no tool for — which it first plans with a made-up tool, as models do, and
 * drops once the plan's validation error is shown to it.
 */
export function fleetPlanScript(): Model {
  return scriptedByRules([
    {
      match: 'Create a step-by-step execution plan',
      reply: (req) => {
        const goal = /^Goal: (.*)$/m.exec(firstUserMessage(req))?.[1] ?? firstUserMessage(req);
        const corrected = /did not match the required JSON schema|Your plan was invalid/.test(lastUserMessage(req));
        const target = Number(/\bto (\d+)\b/.exec(goal)?.[1] ?? 20);
        const steps: { action: string; tool: string; parameters: Record<string, unknown>; expected_outcome: string }[] = [
          { action: 'Record the queue depth before resizing', tool: 'check_queue_depth', parameters: { queue: 'jobs' }, expected_outcome: 'Baseline depth recorded' },
          { action: `Resize the worker fleet to ${target}`, tool: 'resize_fleet', parameters: { fleet: 'workers', target_size: target }, expected_outcome: `Fleet at ${target} instances` },
        ];
        if (/restart/i.test(goal) && !corrected) {
          steps.push({ action: 'Restart the workers', tool: 'restart_workers', parameters: { fleet: 'workers' }, expected_outcome: 'Workers restarted' });
        }
        if (!/skip (?:the )?verif|without verif|no need to verify/i.test(goal)) {
          steps.push({ action: 'Verify the queue drains', tool: 'check_queue_depth', parameters: { queue: 'jobs' }, expected_outcome: 'Depth falling, draining=true' });
        }
        if (!/skip (?:the )?runbook|no runbook/i.test(goal)) {
          steps.push({ action: 'Update the runbook', tool: 'update_runbook', parameters: { section: 'worker-fleet', note: `Fleet resized to ${target} instances; queue verified draining.` }, expected_outcome: 'Runbook updated' });
        }
        return { object: { steps: steps.map((s, i) => ({ step_id: i + 1, ...s })) } };
      },
    },
    {
      match: 'Summarize the execution results',
      reply: (req) => {
        const input = JSON.parse(lastUserMessage(req)) as SummaryInput;
        const lines = input.steps.map((s) => `- step ${s.step_id} ${s.tool}: ${s.status}${s.status === 'failed' ? ` — ${String(s.output)}` : ''}`);
        const depths = input.steps.filter((s) => s.tool === 'check_queue_depth' && s.status === 'completed').map((s) => (s.output as { depth: number }).depth);
        const queue = depths.length > 1 ? `Queue depth ${depths[0]} → ${depths.at(-1)} after the resize.` : '';
        const flag = input.failedStep ? `Flagged: step ${input.failedStep.step_id} (${input.failedStep.tool}) did not complete; later steps were not run.` : 'No steps were flagged.';
        return [...lines, queue, flag].filter(Boolean).join('\n');
      },
    },
  ]);
}

function firstUserMessage(req: ModelRequest): string {
  const m = req.messages.find((x) => x.role === 'user');
  return m ? textOf(m.content) : '';
}

export function fleetResizer(model: Model = fleetPlanScript(), state?: FleetState) {
  const summarizer = prompt<SummaryInput, string>({ name: 'summarizer', model, instructions: SUMMARY_PROMPT });
  return planAndExecute({ model, instructions: PLANNER_PROMPT }, fleetTools(state), {
    approvePlan: verifyAfterResize,
    summarizer,
    name: 'fleet-resize',
  });
}

export const example: VendExample = {
  name: 'fleet-resize',
  pattern: 12,
  patternName: 'plan-and-execute',
  summary: 'Plans a worker-fleet resize with verification and a runbook update, then executes it step by step behind a guard.',
  inputHelp: 'an operations request in plain words',
  defaultInput: 'Resize the worker fleet from 10 to 20 instances, verify the queue drains, and update the runbook.',
  root: () => fleetResizer(),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const result = await run(fleetResizer(model), input, runOptions);
    const out = result.output;
    const done = out.steps.filter((s) => s.status === 'completed').length;
    const outcome =
      out.status === 'completed'
        ? `completed ${done}/${out.plans.at(-1)!.steps.length} steps`
        : out.status === 'rejected'
          ? `plan rejected: ${out.rejection}`
          : `halted at step ${out.failedStep!.step_id} (${out.failedStep!.tool})`;
    return {
      outcome,
      answer: out.summary,
      actions: out.steps.map((s) => ({ turn: s.step_id, tool: s.tool, callId: s.callId, args: s.parameters, ok: s.status === 'completed', result: s.output, durationMs: s.durationMs })),
      details: { plans: out.plans, steps: out.steps, status: out.status },
      result,
    };
  },
};
