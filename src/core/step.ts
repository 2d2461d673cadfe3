/**
 * A Step is anything runnable. Every pattern is a Step and takes Steps, so
 * patterns nest. `run()` is the entry point: it makes the context, the root
 * span, applies the wall-time cap and returns output, trace and usage.
 */
import type { BudgetUsage } from './budget.js';
import { RunAbort, RunContext, type RunContextOptions } from './context.js';
import { BudgetExceeded, RunSuspended } from './errors.js';
import { watchDeadline } from './wall-clock.js';
import type { SpanRecord } from './span.js';

export interface Step<I, O> {
  readonly name: string;
  run(input: I, ctx: RunContext): Promise<O>;
}

export type StepInput<S> = S extends Step<infer I, unknown> ? I : never;
export type StepOutput<S> = S extends Step<unknown, infer O> ? O : never;

/** A Step from a plain function: deterministic code is a first-class stage. */
export function step<I, O>(name: string, fn: (input: I, ctx: RunContext) => O | Promise<O>): Step<I, O> {
  return { name, run: async (input, ctx) => fn(input, ctx) };
}

/** Runs a nested step under its own span, so the trace is a tree of who called whom. */
export async function runStep<I, O>(ctx: RunContext, child: Step<I, O>, input: I, attributes?: Record<string, unknown>): Promise<O> {
  // Durable runs: a completed step's recorded output, or a run under its own journal scope (src/durable/journal.ts).
  if (ctx.journal) return ctx.journal.runStep(ctx, child, input, attributes);
  ctx.throwIfAborted();
  const span = ctx.tracer.start('step', child.name, ctx.spanId, attributes);
  try {
    const out = await child.run(input, ctx.withSpan(span.id));
    span.end();
    return out;
  } catch (err) {
    span.fail(err);
    throw err;
  }
}

export interface RunOptions extends RunContextOptions {}

export interface RunResult<O> {
  runId: string;
  output: O;
  /** Every span of the run, finished ones in finish order; the root span is last. */
  trace: SpanRecord[];
  usage: BudgetUsage;
  /** True when any model call was served by the scripted (offline, deterministic) model. */
  scripted: boolean;
}

/** Runs a step as a whole run: new context, root span, budget with wall-time cap, trace and usage out. */
export async function run<I, O>(root: Step<I, O>, input: I, options: RunOptions = {}): Promise<RunResult<O>> {
  // The run's own cancellation scope: it follows the caller's signal, and the wall-time cap aborts it.
  const abort = new RunAbort();
  let stopWatch: (() => void) | undefined;
  const ctx = new RunContext(options, abort);
  const runId = ctx.runId;
  const maxWall = ctx.budget.remainingWallMs();
  if (maxWall !== undefined) {
    stopWatch = watchDeadline(maxWall, () =>
      abort.abort(new BudgetExceeded('maxWallMs', ctx.budget.limits.maxWallMs!, Date.now() - ctx.budget.startedAt)),
    );
  }
  const span = ctx.tracer.start('run', root.name, undefined);
  // The run's own context, not yet seen by anyone: it hangs under the root span itself (no child copy).
  (ctx as { spanId: string }).spanId = span.id;
  try {
    ctx.throwIfAborted();
    const output = await root.run(input, ctx);
    const usage = ctx.budget.usage();
    span.end({ requestId: ctx.requestId, usage }, undefined, true);
    return { runId, output, trace: ctx.tracer.spans, usage, scripted: usedScripted(ctx.tracer.spans) };
  } catch (err) {
    const usage = ctx.budget.usage();
    if (err instanceof BudgetExceeded) ctx.tracer.event('budget', err.limit, span.id, { max: err.max, used: err.used });
    span.fail(err, { requestId: ctx.requestId, usage });
    if (err instanceof BudgetExceeded) {
      err.trace = ctx.tracer.spans;
      err.usage = usage;
    }
    if (err instanceof Error) {
      const e = err as Error & { runId?: string; trace?: SpanRecord[] };
      e.runId = runId;
      e.trace ??= ctx.tracer.spans;
    }
    // A suspension (waiting for a human) is not a failure.
    if (!(err instanceof RunSuspended)) {
      // The error carries the whole trace; the log line gets only what identifies it. Debug, not warn: the
      // caller gets the error itself, and a log line beside it would say the same thing twice.
      const e = err as { name?: string; code?: string; message?: string };
      ctx.logger.debug({ error: { name: e?.name, code: e?.code, message: e?.message }, usage }, 'run failed');
    }
    throw err;
  } finally {
    stopWatch?.();
    abort.detach();
    // Without sinks (the default) there is nothing to wait for, and no extra tick.
    if (ctx.tracer.hasSinks) await ctx.tracer.flush();
  }
}

function usedScripted(spans: readonly SpanRecord[]): boolean {
  for (const s of spans) if (s.kind === 'model' && s.attributes.provider === 'scripted') return true;
  return false;
}
