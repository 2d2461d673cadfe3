/**
 * A Step is anything runnable. Every pattern is a Step and takes Steps, so
 * patterns nest. `run()` is the entry point: it makes the context, the root
 * span, applies the wall-time cap and returns output, trace and usage.
 */
import type { BudgetUsage } from './budget.js';
import { RunAbort, RunContext, type RunContextOptions } from './context.js';
import { BudgetExceeded, RunSuspended } from './errors.js';
import { watchDeadline, type Deadline } from './wall-clock.js';
import type { SpanRecord } from './span.js';
import type { ActiveSpan } from './tracer.js';

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
export function run<I, O>(root: Step<I, O>, input: I, options: RunOptions = {}): Promise<RunResult<O>> {
  let active: ActiveRun;
  let pending: Promise<O>;
  try {
    active = new ActiveRun(options, root.name);
  } catch (err) {
    return Promise.reject(err);
  }
  try {
    active.ctx.throwIfAborted();
    pending = root.run(input, active.ctx);
  } catch (err) {
    return active.failed(err);
  }
  // A promise chain, not an async function: no suspended frame per run in flight.
  return pending.then(
    (output) => active.completed(output),
    (err: unknown) => active.failed(err),
  );
}

/** One run in flight: its context, root span and wall-time cap, and how it ends. */
class ActiveRun {
  readonly ctx: RunContext;
  /** The run's own cancellation scope: it follows the caller's signal, and the wall-time cap aborts it. */
  private readonly abort = new RunAbort();
  private readonly wallCap: Deadline | undefined;
  private readonly span: ActiveSpan;

  constructor(options: RunOptions, name: string) {
    const ctx = new RunContext(options, this.abort);
    this.ctx = ctx;
    const maxWall = ctx.budget.remainingWallMs();
    if (maxWall !== undefined) {
      this.wallCap = watchDeadline(maxWall, () =>
        this.abort.abort(new BudgetExceeded('maxWallMs', ctx.budget.limits.maxWallMs!, Date.now() - ctx.budget.startedAt)),
      );
    }
    this.span = ctx.tracer.start('run', name, undefined);
    // The run's own context, not yet seen by anyone: it hangs under the root span itself (no child copy).
    (ctx as { spanId: string }).spanId = this.span.id;
  }

  completed<O>(output: O): RunResult<O> | Promise<RunResult<O>> {
    const { ctx } = this;
    const usage = ctx.budget.usage();
    this.span.end({ requestId: ctx.requestId, usage }, undefined, true);
    const result = { runId: ctx.runId, output, trace: ctx.tracer.spans, usage, scripted: usedScripted(ctx.tracer.spans) };
    this.close();
    // Without sinks (the default) there is nothing to wait for, and no extra tick.
    return ctx.tracer.hasSinks ? ctx.tracer.flush().then(() => result) : result;
  }

  /** Ends the root span as failed, gives the error what identifies the run, and rejects with it. */
  failed(err: unknown): Promise<never> {
    const { ctx, span } = this;
    const usage = ctx.budget.usage();
    if (err instanceof BudgetExceeded) ctx.tracer.event('budget', err.limit, span.id, { max: err.max, used: err.used });
    span.fail(err, { requestId: ctx.requestId, usage });
    if (err instanceof BudgetExceeded) {
      err.trace = ctx.tracer.spans;
      err.usage = usage;
    }
    if (err instanceof Error) {
      const e = err as Error & { runId?: string; trace?: SpanRecord[] };
      e.runId = ctx.runId;
      e.trace ??= ctx.tracer.spans;
    }
    // A suspension (waiting for a human) is not a failure.
    if (!(err instanceof RunSuspended)) {
      // The error carries the whole trace; the log line gets only what identifies it.
      const e = err as { name?: string; code?: string; message?: string };
      ctx.logger.warn({ error: { name: e?.name, code: e?.code, message: e?.message }, usage }, 'run failed');
    }
    this.close();
    return ctx.tracer.hasSinks ? ctx.tracer.flush().then(() => Promise.reject(err)) : Promise.reject(err);
  }

  private close(): void {
    this.wallCap?.cancel();
    this.abort.detach();
  }
}

function usedScripted(spans: readonly SpanRecord[]): boolean {
  for (const s of spans) if (s.kind === 'model' && s.attributes.provider === 'scripted') return true;
  return false;
}
