/**
 * `run()` is the entry point: it makes the run's context and root span,
 * applies the wall-time cap, runs the root step through the run's
 * interceptors and returns output, trace and usage.
 */
import type { BudgetUsage } from './budget.js';
import { CancelScope } from './cancel-scope.js';
import { RunContext, asAbortError, type RunContextOptions } from './context.js';
import { BudgetExceeded, RunFailed, RunSuspended, isAgentPatternsError, type AgentPatternsError } from './errors.js';
import { intercept, type Interceptor, type StepInvocation } from './interceptor.js';
import { newRunId } from './run-id.js';
import { scrubError } from './secrets.js';
import type { SpanRecord } from './span.js';
import type { Step } from './step.js';
import { Tracer } from './tracer.js';
import { watchDeadline } from './wall-clock.js';

export interface RunOptions extends RunContextOptions {
  /** Wrap every model, tool and step call of the run (the root step included), outermost first. */
  interceptors?: readonly Interceptor[];
}

/**
 * Turns run options that belong to a feature outside core (a session, a context policy) into
 * interceptors over the run. Features register one when their module loads (the package's root
 * entry loads them all); `run()` asks each, in registration order, and puts what they give
 * outermost. Core names no feature.
 */
export type RunExtension = (options: RunOptions) => readonly Interceptor[] | undefined;

const extensions: RunExtension[] = [];

export function addRunExtension(extension: RunExtension): void {
  if (!extensions.includes(extension)) extensions.push(extension);
}

/** The run's interceptors: the extensions' (outermost), then the caller's. */
export function runInterceptors(options: RunOptions): readonly Interceptor[] | undefined {
  let added: Interceptor[] | undefined;
  for (const extension of extensions) {
    const more = extension(options);
    if (more?.length) (added ??= []).push(...more);
  }
  return added ? [...added, ...(options.interceptors ?? [])] : options.interceptors;
}

interface RunOutcome {
  runId: string;
  /** Every span of the run, finished ones in finish order; the root span is last. */
  trace: SpanRecord[];
  usage: BudgetUsage;
  /** True when any model call was served by the scripted (offline, deterministic) model. */
  scripted: boolean;
}

export interface CompletedRun<O> extends RunOutcome {
  status: 'completed';
  output: O;
}

/** The run waits for a human (an approval gate suspended it): no process waits; resume it when decided. */
export interface SuspendedRun extends RunOutcome {
  status: 'suspended';
  /** What the run waits for: approval ids. */
  pending: string[];
  /** There is none: check `status` first. */
  output: never;
}

/** What a run came to: its output, or (with an approval gate that suspends) what it waits for. */
export type RunResult<O> = CompletedRun<O> | SuspendedRun;

/** Runs a step as a whole run: new context, root span, budget with wall-time cap, trace and usage out. */
export async function run<I, O>(root: Step<I, O>, input: I, options: RunOptions = {}): Promise<RunResult<O>> {
  const runId = options.runId ?? newRunId();
  const tracer = options.tracer ?? new Tracer(runId, options.sinks);
  const rootSpanId = tracer.newSpanId();
  // The run's own cancellation scope: it follows the caller's signal, and the wall-time cap aborts it.
  const cancel = new CancelScope();
  // The run's own context hangs under the root span itself (no child copy for it).
  const ctx = new RunContext({ ...options, interceptors: runInterceptors(options), runId, tracer, cancel, spanId: rootSpanId, path: root.name });
  let stopWatch: (() => void) | undefined;
  const maxWall = ctx.budget.remainingWallMs();
  if (maxWall !== undefined) {
    stopWatch = watchDeadline(maxWall, () =>
      cancel.abort(new BudgetExceeded('maxWallMs', ctx.budget.limits.maxWallMs!, Date.now() - ctx.budget.startedAt)),
    );
  }
  const span = tracer.start('run', root.name, undefined, undefined, rootSpanId);
  const call: StepInvocation<I, O> = { ctx, step: root, input, attributes: undefined, spanId: rootSpanId, parentSpanId: undefined, path: root.name };
  try {
    ctx.throwIfAborted();
    // At the wall-time cap or the caller's abort the run settles, even if the work ignores its signal.
    const output = (await cancel.race(intercept('step', call as StepInvocation, runRoot), asAbortError)) as O;
    tracer.abandonOpen(span);
    const usage = ctx.budget.usage();
    span.end({ requestId: ctx.requestId, usage }, undefined, true);
    return { status: 'completed', runId, output, trace: tracer.spans, usage, scripted: usedScripted(tracer.spans) };
  } catch (err) {
    scrubError(err); // whatever user code or an SDK threw leaves the run without a secret in its message
    tracer.abandonOpen(span);
    const usage = ctx.budget.usage();
    if (isAgentPatternsError(err, BudgetExceeded)) tracer.event('budget', err.limit, span.id, { max: err.max, used: err.used });
    span.fail(err, { requestId: ctx.requestId, usage });
    // A suspension (waiting for a human) is not a failure: it is what the run came to.
    if (isAgentPatternsError(err, RunSuspended)) {
      return { status: 'suspended', runId, pending: err.pending, output: undefined as never, trace: tracer.spans, usage, scripted: usedScripted(tracer.spans) };
    }
    // The error carries the whole trace; the log line gets only what identifies it. Debug, not warn: the
    // caller gets the error itself, and a log line beside it would say the same thing twice.
    const e = err as { name?: string; code?: string; message?: string };
    ctx.logger.debug({ error: { name: e?.name, code: e?.code, message: e?.message }, usage }, 'run failed');
    throw withRun(err, runId, tracer.spans, usage);
  } finally {
    stopWatch?.();
    cancel.detach();
    tracer.seal();
    // Without sinks (the default) there is nothing to wait for, and no extra tick.
    if (tracer.hasSinks) await tracer.flush();
  }
}

/** Our own errors carry the run's id and trace; anyone else's is wrapped (RunFailed, with it as `cause`), not written on. */
function withRun(err: unknown, runId: string, trace: SpanRecord[], usage: BudgetUsage): unknown {
  if (!isAgentPatternsError(err)) return new RunFailed(runId, err, trace, usage);
  const own = err as AgentPatternsError & { runId?: string; trace?: SpanRecord[]; usage?: unknown };
  own.runId = runId;
  if (isAgentPatternsError(err, BudgetExceeded)) {
    err.trace = trace;
    err.usage = usage;
  } else own.trace ??= trace;
  return err;
}

/** The root step's core: the root span is the run's own, opened above. */
function runRoot(call: StepInvocation): Promise<unknown> {
  return call.step.run(call.input, call.ctx);
}

function usedScripted(spans: readonly SpanRecord[]): boolean {
  for (const s of spans) if (s.kind === 'model' && s.attributes.provider === 'scripted') return true;
  return false;
}
