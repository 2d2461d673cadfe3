/**
 * Pattern 8 — hierarchical task decomposition. A planner breaks a goal into
 * independent workstreams (validated against the plan schema before any
 * worker runs), workers research them in parallel under a concurrency limit,
 * and a synthesizer writes the brief from their reports. A worker may
 * decompose its own workstream again, down to `maxDepth`; past it the worker
 * is not given the means to recurse and must answer directly.
 */
import type { z } from 'zod';
import { describeStep } from '../core/shape.js';
import type { RunContext } from '../core/context.js';
import { Budget, type BudgetLimits } from '../core/budget.js';
import { BudgetExceeded, ConfigError, OutputValidationError, isAgentPatternsError } from '../core/errors.js';
import type { Usage } from '../core/model.js';
import type { Model } from '../core/model.js';
import { formatIssues } from '../core/schema.js';
import { runStep } from '../core/run-step.js';
import type { Step } from '../core/step.js';
import { loadZod, type Zod } from './load-zod.js';
import { mapLimit } from './map-limit.js';
import { prompt } from './prompt.js';
import { isStep } from './stage.js';

export interface Workstream {
  name: string;
  deliverable: string;
  questions: string[];
}

export interface WorkstreamPlan {
  workstreams: Workstream[];
}

export interface PlanBounds {
  minWorkstreams?: number;
  maxWorkstreams?: number;
  minQuestions?: number;
  maxQuestions?: number;
}

/** The reference's PLAN_SCHEMA with its prose rules made checkable: 3–5 workstreams, 2–4 questions each. */
export function workstreamPlanSchema(z: Zod, bounds: PlanBounds = {}): z.ZodType<WorkstreamPlan> {
  const { minWorkstreams = 3, maxWorkstreams = 5, minQuestions = 2, maxQuestions = 4 } = bounds;
  return z.object({
    workstreams: z
      .array(
        z.object({
          name: z.string().min(1),
          deliverable: z.string().min(1),
          questions: z.array(z.string().min(1)).min(minQuestions).max(maxQuestions),
        }),
      )
      .min(minWorkstreams)
      .max(maxWorkstreams),
  });
}

export const DECOMPOSE_PLANNER_INSTRUCTIONS =
  'Break a market expansion research goal into 3 to 5 independent workstreams. ' +
  'Each workstream must have a clear deliverable and 2-4 focused questions.';

/** What the planner receives: the goal, and at depth > 0 the workstream being split. */
export interface DecompositionRequest<G> {
  goal: G;
  depth: number;
  parent?: Workstream;
}

/** What a worker receives. `decompose` is present only while depth < maxDepth. */
export interface WorkerInput<G, R, S> {
  goal: G;
  workstream: Workstream;
  index: number;
  depth: number;
  /** Split this workstream into its own plan, workers and synthesis, one level deeper (pass the worker's ctx). */
  decompose?: (subgoal: G, ctx: RunContext) => Promise<DecomposeResult<G, R, S>>;
}

export interface WorkerReport<R> {
  workstream: Workstream;
  output: R;
}

export interface SynthesisInput<G, R> {
  goal: G;
  depth: number;
  reports: WorkerReport<R>[];
}

export interface DecomposeResult<G, R, S> {
  goal: G;
  depth: number;
  plan: WorkstreamPlan;
  reports: WorkerReport<R>[];
  synthesis: S;
}

/** A model-backed planner: decompose() gives it the plan schema as structured output. */
export interface DecompositionPlannerConfig<G> {
  model: Model;
  instructions?: string;
  input?: (request: DecompositionRequest<G>) => string;
  name?: string;
}

export interface DecomposeOptions {
  /** Workers in flight at once (default 4). */
  concurrency?: number;
  /** Levels of decomposition below the root plan (default 1; 0 = workers always answer directly). */
  maxDepth?: number;
  /** Bounds of a valid plan (default 3–5 workstreams, 2–4 questions each). */
  bounds?: PlanBounds;
  /**
   * Each worker's share of the run budget (its whole subtree, sub-decompositions included), on
   * top of the run's own caps: one runaway workstream stops the run with WorkerBudgetExceeded
   * naming it, before it eats everyone's budget.
   */
  workerBudget?: Pick<BudgetLimits, 'maxModelTurns' | 'maxToolCalls' | 'maxInputTokens' | 'maxOutputTokens' | 'maxTotalTokens' | 'maxCostUsd'>;
  name?: string;
}

/** A worker went over its share of the budget (the run's own caps may still have room). */
export class WorkerBudgetExceeded extends BudgetExceeded {
  readonly workstream: string;
  constructor(workstream: string, inner: BudgetExceeded) {
    super(inner.limit, inner.max, inner.used);
    this.workstream = workstream;
    this.message = `workstream "${workstream}" exceeded its budget share: ${inner.limit} is ${inner.max}, it reached ${inner.used}`;
  }
}

/** Charges the run budget and the worker's own caps; the run budget keeps the wall clock. */
class BudgetShare extends Budget {
  constructor(
    limits: NonNullable<DecomposeOptions['workerBudget']>,
    private readonly run: Budget,
    private readonly workstream: string,
  ) {
    // Caps the share does not set stay unlimited here: the run budget still enforces them.
    super({ maxModelTurns: Infinity, maxToolCalls: Infinity, maxCostUsd: Infinity, maxWallMs: undefined, ...limits });
    this.capsCost ||= run.capsCost;
  }
  private own(charge: () => void): void {
    try {
      charge();
    } catch (err) {
      throw isAgentPatternsError(err, BudgetExceeded) ? new WorkerBudgetExceeded(this.workstream, err) : err;
    }
  }
  // The share is asked first, so a call it refuses is not counted against the run.
  override chargeModelTurn(): void {
    this.own(() => super.chargeModelTurn());
    this.run.chargeModelTurn();
  }
  override chargeToolCall(): void {
    this.own(() => super.chargeToolCall());
    this.run.chargeToolCall();
  }
  override recordUsage(usage: Usage, costUsd: number): void {
    this.run.recordUsage(usage, costUsd);
    this.own(() => super.recordUsage(usage, costUsd));
  }
  override checkWall(): void {
    this.run.checkWall();
  }
  override remainingWallMs(): number | undefined {
    return this.run.remainingWallMs();
  }
}

function validateShare(limits: NonNullable<DecomposeOptions['workerBudget']>): void {
  for (const [key, v] of Object.entries(limits)) {
    if (v !== undefined && !(typeof v === 'number' && v >= 0)) throw new ConfigError(`decompose.workerBudget.${key}`, `must be a number >= 0, got ${JSON.stringify(v)}`);
  }
}

export function decompose<G, R, S>(
  planner: Step<DecompositionRequest<G>, unknown> | DecompositionPlannerConfig<G>,
  worker: Step<WorkerInput<G, R, S>, R>,
  synthesizer: Step<SynthesisInput<G, R>, S>,
  options: DecomposeOptions = {},
): Step<G, DecomposeResult<G, R, S>> {
  const concurrency = options.concurrency ?? 4;
  const maxDepth = options.maxDepth ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError('decompose.concurrency', 'must be an integer >= 1');
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw new ConfigError('decompose.maxDepth', 'must be an integer >= 0');
  if (options.workerBudget) validateShare(options.workerBudget);
  // Built on the first run (the schema needs zod, which importing the library does not load).
  let planning: { schema: z.ZodType<WorkstreamPlan>; plannerStep: Step<DecompositionRequest<G>, unknown> } | undefined;
  async function buildPlanning() {
    const schema = workstreamPlanSchema(await loadZod(), options.bounds);
    return { schema, plannerStep: isStep(planner) ? planner : modelPlanner(planner, schema) };
  }
  const name = options.name ?? 'decompose';

  async function level(goal: G, depth: number, parent: Workstream | undefined, ctx: RunContext): Promise<DecomposeResult<G, R, S>> {
    const request: DecompositionRequest<G> = { goal, depth };
    if (parent) request.parent = parent;
    const { schema, plannerStep } = (planning ??= await buildPlanning());
    const raw = await runStep(ctx, plannerStep, request, { depth });
    const checked = schema.safeParse(raw);
    if (!checked.success) throw new OutputValidationError(`plan: ${formatIssues(checked.error)}`, JSON.stringify(raw ?? null));
    const plan = checked.data;
    ctx.tracer.event('decision', 'decompose:plan', ctx.spanId, { depth, workstreams: plan.workstreams.map((w) => w.name) });

    // One failing worker cancels its siblings: the first error is the one reported.
    const siblings = ctx.cancel.child();
    const workerCtx = ctx.with({ cancel: siblings });
    const outputs = await mapLimit(
      plan.workstreams,
      concurrency,
      async (workstream, index) => {
        const input: WorkerInput<G, R, S> = { goal, workstream, index, depth };
        if (depth < maxDepth) {
          input.decompose = (subgoal: G, within: RunContext) =>
            runStep(within, nested(depth + 1, workstream), subgoal, { depth: depth + 1, parent: workstream.name });
        }
        const share = options.workerBudget ? workerCtx.with({ budget: new BudgetShare(options.workerBudget, workerCtx.budget, workstream.name) }) : workerCtx;
        try {
          return await runStep(share, worker, input, { workstream: workstream.name, depth });
        } catch (err) {
          siblings.abort(err);
          throw err;
        }
      },
      { signal: ctx.signal },
    )
      .catch((err: unknown) => {
        ctx.throwIfAborted();
        throw err;
      })
      .finally(() => siblings.detach());
    const reports = plan.workstreams.map((workstream, i) => ({ workstream, output: outputs[i]! }));
    const synthesis = await runStep(ctx, synthesizer, { goal, depth, reports }, { depth });
    return { goal, depth, plan, reports, synthesis };
  }

  // A sub-decomposition is its own step, so the trace shows the tree of levels.
  function nested(depth: number, parent: Workstream): Step<G, DecomposeResult<G, R, S>> {
    return { name: `${name}:depth-${depth}`, run: (subgoal, ctx) => level(subgoal, depth, parent, ctx) };
  }

  return {
    name,
    describe: () => ({ kind: 'decompose', name, children: [isStep(planner) ? describeStep(planner, 'planner') : { kind: 'agent', name: planner.name ?? 'planner', role: 'planner' }, describeStep(worker, 'worker'), describeStep(synthesizer, 'synthesizer')] }),
    run: (goal, ctx) => level(goal, 0, undefined, ctx),
  };
}

function modelPlanner<G>(config: DecompositionPlannerConfig<G>, schema: z.ZodType<WorkstreamPlan>): Step<DecompositionRequest<G>, unknown> {
  return prompt<DecompositionRequest<G>, WorkstreamPlan>({
    name: config.name ?? 'planner',
    model: config.model,
    instructions: config.instructions ?? DECOMPOSE_PLANNER_INSTRUCTIONS,
    output: schema,
    input: config.input ?? ((r) => (typeof r.goal === 'string' ? r.goal : JSON.stringify(r.goal))),
  });
}
