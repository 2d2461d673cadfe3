/**
 * Pattern 3 — parallel. Independent branches get the same input and run at
 * the same time (wall time ≈ the slowest branch), each under its own
 * cancellation scope derived from the run's, so one branch can be
 * cancelled or timed out alone.
 *
 * Failure policy:
 * - 'fail-fast' (default): the first failing branch cancels its siblings,
 *   they settle, and the step throws StepFailed naming that branch. The
 *   output is the plain branch outputs `{ logs: A, metrics: B }`.
 * - 'continue': every branch settles; the output holds a BranchResult per
 *   branch (`{ ok: true, value }` or `{ ok: false, error }`).
 * Run-level stops (budget, abort) always win and propagate unchanged. A
 * branch that suspends (waits for a human) does not cancel its siblings: all
 * settle, then the suspensions merge into one RunSuspended — unless a real
 * failure under fail-fast happened, which wins.
 */
import type { CancelScope } from '../core/cancel-scope.js';
import type { RunContext } from '../core/context.js';
import { describeStep, type StepShape } from '../core/shape.js';
import { ConfigError, RunAborted, RunSuspended, StepFailed, errorMessage, isAgentPatternsError, isFatal } from '../core/errors.js';
import { withDeadline } from '../core/deadline.js';
import type { Step } from '../core/step.js';
import { runStep } from '../core/run-step.js';
import { isStep, type CommonInput, type OutputOf, type Stage } from './stage.js';

export type BranchResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: Error };

export type Branches = Record<string, Stage<any, any>>;
export type FailurePolicy = 'fail-fast' | 'continue';

export interface ParallelOptions<B extends Branches> {
  /** The step's name (span and StepFailed in an outer pipeline). Default "parallel". */
  name?: string;
  /** Per-branch time limit: one number for all, or per branch name. A branch past it fails with TimeoutError. */
  timeoutMs?: number | Partial<Record<keyof B & string, number>>;
  onError?: FailurePolicy;
}

/** Branch outputs in fail-fast mode. */
export type BranchOutputs<B extends Branches> = { [K in keyof B]: OutputOf<B[K]> };
/** Branch results in continue mode. */
export type BranchResults<B extends Branches> = { [K in keyof B]: BranchResult<OutputOf<B[K]>> };

/** What a synthesis step receives: the original input and the branches' outputs/results. */
export interface Gathered<I, R> {
  input: I;
  branches: R;
}

export class Parallel<I, R> implements Step<I, R> {
  private readonly keys: string[];
  private readonly timeouts: (number | undefined)[];

  constructor(
    readonly name: string,
    private readonly branches: Branches,
    readonly policy: FailurePolicy,
    timeoutMs: ParallelOptions<Branches>['timeoutMs'],
  ) {
    this.keys = Object.keys(branches);
    if (this.keys.length === 0) throw new ConfigError('parallel.branches', 'needs at least one branch');
    for (const k of this.keys) {
      if (!isStep(branches[k])) throw new ConfigError(`parallel.branches.${k}`, 'is not a Step');
    }
    if (policy !== 'fail-fast' && policy !== 'continue') throw new ConfigError('parallel.onError', `must be "fail-fast" or "continue", got ${JSON.stringify(policy)}`);
    this.timeouts = this.keys.map((k) => {
      const ms = typeof timeoutMs === 'number' ? timeoutMs : timeoutMs?.[k];
      if (ms !== undefined && !(ms > 0 && Number.isFinite(ms))) throw new ConfigError(`parallel.timeoutMs${typeof timeoutMs === 'number' ? '' : `.${k}`}`, 'must be a number > 0');
      return ms;
    });
  }

  async run(input: I, ctx: RunContext): Promise<R> {
    ctx.throwIfAborted();
    const keys = this.keys;
    // Each branch under its own cancellation scope, cancelled with the run or alone (a failing
    // sibling, its time limit); no AbortSignal is made unless a branch asks for one.
    const branches = keys.map(() => {
      const scope = ctx.cancel.child();
      return { ctx: ctx.with({ cancel: scope }), scope };
    });
    const settled = keys.map(() => false);
    let failure: { key: string; error: unknown } | undefined;

    const cancelSiblings = (key: string, error: unknown) => {
      const cancelled = keys.filter((_, i) => !settled[i]);
      ctx.tracer.event('decision', 'parallel:cancel-siblings', ctx.spanId, { failed: key, error: errorMessage(error), cancelled });
      const reason = new RunAborted(`cancelled: sibling branch "${key}" failed`);
      for (let i = 0; i < keys.length; i++) if (!settled[i]) branches[i]!.scope.abort(reason);
    };

    const results: BranchResult<unknown>[] = await Promise.all(
      keys.map((key, i) =>
        this.runBranch(branches[i]!, key, i, input).then(
          (value): BranchResult<unknown> => {
            settled[i] = true;
            branches[i]!.scope.detach();
            return { ok: true, value };
          },
          (err: unknown): BranchResult<unknown> => {
            settled[i] = true;
            branches[i]!.scope.detach();
            // The first real failure decides; a suspension waits for the others, and
            // errors of branches we cancelled ourselves are only echoes of it.
            if (!failure && !ctx.aborted && !isAgentPatternsError(err, RunSuspended) && (this.policy === 'fail-fast' || isFatal(err))) {
              failure = { key, error: err };
              cancelSiblings(key, err);
            }
            return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
          },
        ),
      ),
    );

    ctx.throwIfAborted();
    if (failure) throw isFatal(failure.error) ? failure.error : new StepFailed(failure.key, failure.error);
    const suspensions = results.flatMap((r) => (!r.ok && isAgentPatternsError(r.error, RunSuspended) ? [r.error] : []));
    if (suspensions.length) throw RunSuspended.merge(suspensions);

    const out: Record<string, unknown> = {};
    if (this.policy === 'fail-fast') {
      for (let i = 0; i < keys.length; i++) out[keys[i]!] = (results[i] as { value: unknown }).value;
      return out as R;
    }
    const failed: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      out[keys[i]!] = results[i];
      if (!results[i]!.ok) failed.push(keys[i]!);
    }
    if (failed.length) ctx.tracer.event('decision', 'parallel:partial', ctx.spanId, { failed, succeeded: keys.length - failed.length });
    return out as R;
  }

  describe(): StepShape {
    return { kind: 'parallel', name: this.name, children: this.keys.map((k) => describeStep(this.branches[k]!, k)) };
  }

  /** Fan-out and synthesis as one step: `synthesizer` gets `{ input, branches }`. */
  synthesize<S>(synthesizer: Stage<Gathered<I, R>, S>, name = `${this.name}+${synthesizer.name}`): Step<I, S> {
    return {
      name,
      describe: () => ({ kind: 'sequence', name, children: [this.describe(), describeStep(synthesizer, 'synthesizer')] }),
      run: async (input: I, ctx: RunContext): Promise<S> => {
        const branches = await runStep(ctx, this, input);
        try {
          return await runStep(ctx, synthesizer as Step<Gathered<I, R>, S>, { input, branches });
        } catch (err) {
          if (isFatal(err)) throw err;
          ctx.throwIfAborted();
          throw new StepFailed(synthesizer.name, err);
        }
      },
    };
  }

  private runBranch(branch: { ctx: RunContext; scope: CancelScope }, key: string, i: number, input: I): Promise<unknown> {
    const work = runStep(branch.ctx, this.branches[key] as Step<I, unknown>, input, { branch: key });
    const ms = this.timeouts[i];
    if (ms === undefined) return work;
    return withDeadline(work, ms, `branch "${key}"`, (err) => branch.scope.abort(err));
  }
}

/**
 * Runs the branches concurrently on the same input. Fail-fast (default)
 * returns their outputs; `onError: 'continue'` returns a BranchResult each.
 */
export function parallel<B extends Branches>(
  branches: B,
  options?: ParallelOptions<B> & { onError?: 'fail-fast' },
): Parallel<CommonInput<B>, BranchOutputs<B>>;
export function parallel<B extends Branches>(
  branches: B,
  options: ParallelOptions<B> & { onError: 'continue' },
): Parallel<CommonInput<B>, BranchResults<B>>;
export function parallel<B extends Branches>(
  branches: B,
  options: ParallelOptions<B> & { onError: FailurePolicy },
): Parallel<CommonInput<B>, BranchOutputs<B> | BranchResults<B>>;
export function parallel<B extends Branches>(branches: B, options: ParallelOptions<B> = {}): Parallel<unknown, unknown> {
  if (!branches || typeof branches !== 'object') throw new ConfigError('parallel.branches', 'must be an object of named steps');
  return new Parallel(options.name ?? 'parallel', branches, options.onError ?? 'fail-fast', options.timeoutMs as ParallelOptions<Branches>['timeoutMs']);
}

/**
 * Renders branch results as text for a synthesis prompt, one section per
 * branch; a failed branch is stated as failed, so the synthesis knows what
 * evidence is missing instead of silently working without it.
 */
export function describeBranches(
  results: Record<string, BranchResult<unknown>>,
  labels: Record<string, string> = {},
  render: (value: unknown) => string = (v) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2)),
): string {
  return Object.entries(results)
    .map(([key, r]) => `${labels[key] ?? key}:\n${r.ok ? render(r.value) : `UNAVAILABLE — this specialist failed (${r.error.message}); do not assume anything about it.`}`)
    .join('\n\n');
}
