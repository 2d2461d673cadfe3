/**
 * Pattern 12 — plan-and-execute. A planner writes the whole plan before
 * anything runs; the plan is validated (every step's tool is one of the
 * given tools, every step's parameters match that tool's own schema), may be
 * put to an approval hook, and is then executed step by step through the
 * same tool runner as agents (guards, approvals, timeouts, tracing, budget).
 * A failed step halts execution and the summary names it; optionally the
 * planner gets one chance to re-plan the rest.
 */
import type { z } from 'zod';
import { describeStep } from '../core/shape.js';
import type { RunContext } from '../core/context.js';
import { ConfigError, OutputValidationError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { runToolCall } from '../core/run-tool.js';
import { formatIssues } from '../core/schema.js';
import type { Step } from '../core/step.js';
import { runStep } from '../core/run-step.js';
import type { AnyTool } from '../core/tool.js';
import { loadZod, type Zod } from './load-zod.js';
import { prompt } from './prompt.js';
import { isStep } from './stage.js';

export interface PlannedStep {
  step_id: number;
  action: string;
  tool: string;
  parameters: Record<string, unknown>;
  expected_outcome: string;
}

export interface ExecutionPlan {
  goal: string;
  steps: PlannedStep[];
}

export interface PlanStepResult {
  step_id: number;
  tool: string;
  action: string;
  status: 'completed' | 'failed';
  /** The tool's return value, or the error message. */
  output: unknown;
  /** Which plan (0 = first, 1 = the re-plan) the step came from. */
  plan: number;
  /** The validated parameters the tool ran with. */
  parameters: Record<string, unknown>;
  callId: string;
  durationMs: number;
}

/** What the planner receives: the goal, and on a retry or re-plan what went wrong and what already ran. */
export interface ExecutionPlanRequest {
  goal: string;
  /** Validation issues of the previous plan, or the failure that triggered a re-plan. */
  feedback?: string;
  completed?: PlanStepResult[];
}

export type PlanApproval = { approved: true; reason?: string } | { approved: false; reason: string };

export type PlanStatus = 'completed' | 'failed' | 'rejected';

export interface PlanAndExecuteResult<S = string> {
  goal: string;
  status: PlanStatus;
  /** Every plan that was made (the first, and the re-plan when there was one). */
  plans: ExecutionPlan[];
  steps: PlanStepResult[];
  /** The step that halted execution (status 'failed'). */
  failedStep?: PlanStepResult;
  rejection?: string;
  replanned: boolean;
  /** Deterministic status line (names the failed step), then the summarizer's text when one is given. */
  summary: string;
  report?: S;
}

export interface SummaryInput {
  goal: string;
  status: PlanStatus;
  steps: PlanStepResult[];
  failedStep?: PlanStepResult;
}

export interface ExecutionPlannerConfig {
  model: Model;
  instructions?: string;
  name?: string;
}

export interface PlanAndExecuteOptions<S> {
  /** Looks at the validated plan before anything runs; a rejection stops the run with its reason. */
  approvePlan?: (plan: ExecutionPlan, ctx: RunContext) => Promise<PlanApproval> | PlanApproval;
  /** After a failed step, ask the planner once for a new plan for the rest of the goal (default false). */
  replan?: boolean;
  /** Writes the report from the step results (the reference's summarizer). */
  summarizer?: Step<SummaryInput, S>;
  name?: string;
}

export const EXECUTION_PLANNER_INSTRUCTIONS =
  'Create a step-by-step execution plan for the given infrastructure task. Order steps by dependency. Use only available tools.';

/** The plan schema for a set of tools: `tool` is an enum of their names (the reference's PLAN_SCHEMA). */
export function executionPlanSchema(z: Zod, toolNames: readonly [string, ...string[]]) {
  return z.object({
    steps: z
      .array(
        z.object({
          step_id: z.number().int(),
          action: z.string(),
          tool: z.enum(toolNames),
          parameters: z.record(z.string(), z.unknown()),
          expected_outcome: z.string(),
        }),
      )
      .min(1),
  });
}

export function planAndExecute<S = string>(
  planner: Step<ExecutionPlanRequest, unknown> | ExecutionPlannerConfig,
  tools: readonly AnyTool[],
  options: PlanAndExecuteOptions<S> = {},
): Step<string, PlanAndExecuteResult<S>> {
  if (tools.length === 0) throw new ConfigError('planAndExecute.tools', 'needs at least one tool');
  const byName = new Map<string, AnyTool>();
  for (const t of tools) {
    if (byName.has(t.name)) throw new ConfigError('planAndExecute.tools', `duplicate tool name "${t.name}"`);
    byName.set(t.name, t);
  }
  // Built on the first run (the schema needs zod, which importing the library does not load).
  let planning: { schema: ReturnType<typeof executionPlanSchema>; plannerStep: Step<ExecutionPlanRequest, unknown> } | undefined;
  async function buildPlanning() {
    const schema = executionPlanSchema(await loadZod(), [...byName.keys()] as [string, ...string[]]);
    return { schema, plannerStep: isStep(planner) ? planner : modelPlanner(planner, tools, schema) };
  }

  /** Validates a raw plan: shape and tool enum first, then each step's parameters against its tool. */
  function validate(schema: ReturnType<typeof executionPlanSchema>, raw: unknown, goal: string): { plan: ExecutionPlan } | { issues: string } {
    const shape = schema.safeParse(raw);
    if (!shape.success) return { issues: formatIssues(shape.error) };
    const issues: string[] = [];
    const ids = new Set<number>();
    for (const s of shape.data.steps) {
      if (ids.has(s.step_id)) issues.push(`step ${s.step_id}: duplicate step_id`);
      ids.add(s.step_id);
      const params = byName.get(s.tool)!.input.safeParse(s.parameters);
      if (!params.success) issues.push(`step ${s.step_id} (${s.tool}): ${formatIssues(params.error)}`);
    }
    return issues.length ? { issues: issues.join('; ') } : { plan: { goal, steps: shape.data.steps } };
  }

  /** Plans, re-asking once with the validation issues; a second invalid plan is a typed error. */
  async function makePlan(ctx: RunContext, request: ExecutionPlanRequest): Promise<ExecutionPlan> {
    const { schema, plannerStep } = (planning ??= await buildPlanning());
    let raw = await runStep(ctx, plannerStep, request);
    let checked = validate(schema, raw, request.goal);
    if ('issues' in checked) {
      ctx.tracer.event('decision', 'plan-invalid', ctx.spanId, { issues: checked.issues });
      const feedback = `Your plan was invalid: ${checked.issues}. Make a new plan that uses only the available tools with valid parameters.`;
      raw = await runStep(ctx, plannerStep, { ...request, feedback: request.feedback ? `${request.feedback}\n${feedback}` : feedback });
      checked = validate(schema, raw, request.goal);
      if ('issues' in checked) throw new OutputValidationError(`plan: ${checked.issues}`, JSON.stringify(raw ?? null));
    }
    ctx.tracer.event('decision', 'plan', ctx.spanId, { steps: checked.plan.steps.map((s) => `${s.step_id}:${s.tool}`) });
    return checked.plan;
  }

  async function approve(ctx: RunContext, plan: ExecutionPlan): Promise<PlanApproval> {
    if (!options.approvePlan) return { approved: true };
    const verdict = await options.approvePlan(plan, ctx);
    ctx.tracer.event('approval', 'plan-approval', ctx.spanId, { approved: verdict.approved, reason: verdict.reason });
    return verdict;
  }

  /** Runs the plan's steps in order; stops at the first failure and returns it. */
  async function execute(ctx: RunContext, plan: ExecutionPlan, planIndex: number, results: PlanStepResult[]): Promise<PlanStepResult | undefined> {
    for (const s of plan.steps) {
      ctx.throwIfAborted();
      const span = ctx.tracer.start('step', `plan-step-${s.step_id}`, ctx.spanId, { tool: s.tool, action: s.action, plan: planIndex });
      try {
        const callId = `plan${planIndex}_step${s.step_id}`;
        const outcome = await runToolCall(ctx.with({ spanId: span.id }), byName, {
          id: callId,
          name: s.tool,
          arguments: JSON.stringify(s.parameters),
        });
        const result: PlanStepResult = {
          step_id: s.step_id, tool: s.tool, action: s.action, plan: planIndex,
          status: outcome.ok ? 'completed' : 'failed',
          output: outcome.result,
          parameters: s.parameters,
          callId,
          durationMs: outcome.durationMs,
        };
        results.push(result);
        if (!outcome.ok) {
          span.fail(new Error(String(outcome.result)));
          return result;
        }
        span.end();
      } catch (err) {
        span.fail(err);
        throw err;
      }
    }
    return undefined;
  }

  return {
    name: options.name ?? 'plan-and-execute',
    describe: () => ({
      kind: 'plan-and-execute',
      name: options.name ?? 'plan-and-execute',
      children: [
        isStep(planner) ? describeStep(planner, 'planner') : { kind: 'agent', name: planner.name ?? 'planner', role: 'planner' },
        ...tools.map((t) => ({ kind: 'tool', name: t.name, role: 'executor' })),
        ...(options.summarizer ? [describeStep(options.summarizer, 'summarizer')] : []),
      ],
    }),
    async run(goal: string, ctx: RunContext): Promise<PlanAndExecuteResult<S>> {
      const plans: ExecutionPlan[] = [];
      const steps: PlanStepResult[] = [];
      let replanned = false;
      let failedStep: PlanStepResult | undefined;
      let rejection: string | undefined;

      let plan = await makePlan(ctx, { goal });
      plans.push(plan);
      let verdict = await approve(ctx, plan);
      if (!verdict.approved) rejection = verdict.reason;
      else {
        failedStep = await execute(ctx, plan, 0, steps);
        if (failedStep && options.replan) {
          replanned = true;
          const feedback =
            `Step ${failedStep.step_id} (${failedStep.tool}) failed: ${String(failedStep.output)}. ` +
            'Plan only the remaining work; completed steps must not be repeated.';
          plan = await makePlan(ctx, { goal, feedback, completed: steps.filter((s) => s.status === 'completed') });
          plans.push(plan);
          verdict = await approve(ctx, plan);
          if (!verdict.approved) rejection = verdict.reason;
          else failedStep = await execute(ctx, plan, 1, steps);
        }
      }

      const status: PlanStatus = rejection !== undefined ? 'rejected' : failedStep ? 'failed' : 'completed';
      let summary = statusLine(status, steps, failedStep, rejection, replanned);
      const result: PlanAndExecuteResult<S> = { goal, status, plans, steps, replanned, summary };
      if (failedStep) result.failedStep = failedStep;
      if (rejection !== undefined) result.rejection = rejection;
      if (options.summarizer && status !== 'rejected') {
        const input: SummaryInput = { goal, status, steps };
        if (failedStep) input.failedStep = failedStep;
        const report = await runStep(ctx, options.summarizer, input);
        result.report = report;
        if (typeof report === 'string' && report.trim()) summary += `\n${report.trim()}`;
      }
      result.summary = summary;
      return result;
    },
  };
}

function statusLine(status: PlanStatus, steps: PlanStepResult[], failed: PlanStepResult | undefined, rejection: string | undefined, replanned: boolean): string {
  const done = steps.filter((s) => s.status === 'completed').length;
  if (status === 'rejected') {
    // A rejected re-plan comes after steps did run: say so rather than "before any step ran".
    return replanned
      ? `Re-plan rejected after step ${failed!.step_id} (${failed!.tool}) failed; ${done} step(s) had completed: ${rejection}.`
      : `Plan rejected before any step ran: ${rejection}.`;
  }
  if (status === 'failed') {
    return `Halted at step ${failed!.step_id} (${failed!.tool}: ${failed!.action}): ${String(failed!.output)}. ${done} step(s) completed${replanned ? ', after one re-plan' : ''}.`;
  }
  return `All ${steps.length} step(s) completed${replanned ? ' (after one re-plan)' : ''}.`;
}

function modelPlanner(config: ExecutionPlannerConfig, tools: readonly AnyTool[], schema: z.ZodType): Step<ExecutionPlanRequest, unknown> {
  const catalogue = tools.map((t) => `- ${t.name}: ${t.description} Parameters (JSON schema): ${JSON.stringify(t.spec.parameters)}`).join('\n');
  return prompt<ExecutionPlanRequest, unknown>({
    name: config.name ?? 'planner',
    model: config.model,
    instructions: `${config.instructions ?? EXECUTION_PLANNER_INSTRUCTIONS}\n\nAvailable tools:\n${catalogue}`,
    output: schema,
    input: (r) => {
      let text = `Goal: ${r.goal}`;
      if (r.completed?.length) text += `\n\nAlready completed (do not repeat):\n${JSON.stringify(r.completed, null, 2)}`;
      if (r.feedback) text += `\n\n${r.feedback}`;
      return text;
    },
  });
}
