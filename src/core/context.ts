/**
 * Everything a step needs about the run it belongs to: ids, cancellation,
 * the shared budget, the tracer, the logger and the store. Nested steps get
 * a child context that differs only in the parent span.
 */
import { Budget, type BudgetLimits } from './budget.js';
import { RunAborted } from './errors.js';
import { newRunId } from './run-id.js';
import { defaultLogger, type Logger } from './logger.js';
import type { TraceSink } from './span.js';
import type { Store } from './store.js';
import { Tracer } from './tracer.js';
import type { AnyTool, ApprovalGate } from './tool.js';
import type { ToolCall } from './messages.js';
import type { Model, ModelRequest, ModelResponse } from './model.js';
import type { ToolOutcome } from './run-tool.js';
import type { Step } from './step.js';

/**
 * The replay log of a durable run (src/durable). When a context carries one,
 * callModel, runToolCall and runStep hand their work to it: a recorded result
 * is returned instead of executing again, a fresh one is recorded. Without
 * one (the default) nothing of this runs.
 */
export interface Journal {
  callModel(ctx: RunContext, model: Model, request: ModelRequest, name?: string): Promise<ModelResponse>;
  runToolCall(ctx: RunContext, tools: ReadonlyMap<string, AnyTool>, call: ToolCall): Promise<ToolOutcome>;
  runStep<I, O>(ctx: RunContext, child: Step<I, O>, input: I, attributes?: Record<string, unknown>): Promise<O>;
}

export interface RunContextOptions {
  runId?: string;
  requestId?: string;
  signal?: AbortSignal;
  budget?: Budget | BudgetLimits;
  sinks?: readonly TraceSink[];
  logger?: Logger;
  store?: Store;
  /** Decides human approvals for tools that need one (see the durable runtime). */
  approvals?: ApprovalGate;
  /** Durable runs only: the replay log (set by src/durable, not by hand). */
  journal?: Journal;
  /** Free-form values a step may read (tenant, user, feature flags). */
  metadata?: Record<string, unknown>;
}

/**
 * A cancellation scope: a run's, or one branch of it. A plain flag with
 * listeners, whose AbortSignal is made only when something asks for it:
 * creating a Node 20 AbortSignal costs ~7 µs and leaves old-space garbage,
 * and its EventTarget listeners cost more again, while a CPU-only run (plain
 * tools, the scripted model) never needs one. `run()` aborts the run's scope
 * at the wall-time cap; a branch's scope (`child()`) is aborted with its
 * parent, or alone.
 */
export class RunAbort {
  aborted = false;
  reason: unknown = undefined;
  private controller: AbortController | undefined;
  private listeners: ((reason: unknown) => void)[] | undefined;
  private unlink: (() => void) | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    this.detach();
    this.controller?.abort(this.reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener(this.reason);
  }

  /** Calls `listener` on abort (at once if already aborted); returns the unsubscribe. Makes no signal. */
  subscribe(listener: (reason: unknown) => void): () => void {
    if (this.aborted) {
      listener(this.reason);
      return noop;
    }
    // Usually one listener (the model call in flight): an array of exactly one, not push()'s 17 slots.
    if (this.listeners) this.listeners.push(listener);
    else this.listeners = [listener];
    return () => {
      const list = this.listeners;
      if (list === undefined) return;
      // The common case, the only listener leaving, allocates nothing (splice returns an array).
      if (list.length === 1) {
        if (list[0] === listener) this.listeners = undefined;
        return;
      }
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** A scope aborted with this one, and abortable alone. `detach()` it once its work has settled. */
  child(): RunAbort {
    const scope = new RunAbort();
    scope.unlink = this.subscribe((reason) => scope.abort(reason));
    return scope;
  }

  /** Aborts this scope when `signal` fires (a caller's signal); `detach()` stops following it. */
  follow(signal: AbortSignal): this {
    if (signal.aborted) {
      this.abort(signal.reason);
      return this;
    }
    const onAbort = () => this.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const previous = this.unlink;
    this.unlink = () => {
      previous?.();
      signal.removeEventListener('abort', onAbort);
    };
    return this;
  }

  /** Stops following the parent scope and any followed signal (the scope's own abort still works). */
  detach(): void {
    const unlink = this.unlink;
    this.unlink = undefined;
    unlink?.();
  }
}

function noop(): void {}

/** Shared by every run that has none (steps read metadata, they do not write it). */
const NO_METADATA: Record<string, unknown> = Object.freeze({});

export class RunContext {
  readonly runId: string;
  readonly requestId: string;
  readonly budget: Budget;
  readonly tracer: Tracer;
  readonly store: Store | undefined;
  readonly approvals: ApprovalGate | undefined;
  readonly journal: Journal | undefined;
  readonly metadata: Record<string, unknown>;
  /** The span new spans of this context hang under. */
  readonly spanId: string | undefined;
  private readonly baseLogger: Logger | undefined;
  private childLogger: Logger | undefined;
  /** The run's or this branch's cancellation; a caller's `signal` is followed by it. */
  private readonly scope: RunAbort;

  /**
   * `scope`: the cancellation the context answers to (a new one by default; `run()` passes the run's).
   * With `options.signal`, the scope follows that signal until it fires or `scope.detach()` (run() detaches
   * at the end of the run, so a long-lived signal does not collect a listener per run).
   */
  constructor(options: RunContextOptions & { tracer?: Tracer; spanId?: string } = {}, scope: RunAbort = new RunAbort()) {
    this.runId = options.runId ?? newRunId();
    this.requestId = options.requestId ?? this.runId;
    this.budget = options.budget instanceof Budget ? options.budget : new Budget(options.budget);
    this.tracer = options.tracer ?? new Tracer(this.runId, options.sinks);
    this.store = options.store;
    this.approvals = options.approvals;
    this.journal = options.journal;
    this.metadata = options.metadata ?? NO_METADATA;
    this.spanId = options.spanId;
    this.baseLogger = options.logger;
    this.scope = scope;
    if (options.signal) scope.follow(options.signal);
  }

  /** A pino child logger bound to this run's ids (built on first use: most turns never log). */
  get logger(): Logger {
    return (this.childLogger ??= (this.baseLogger ?? defaultLogger()).child({ runId: this.runId, requestId: this.requestId }));
  }

  /** The same run, with new spans hanging under `spanId`. */
  withSpan(spanId: string): RunContext {
    const child = this.derive();
    (child as { spanId: string }).spanId = spanId;
    return child;
  }

  /**
   * The same run under a cancellation scope of its own (a parallel branch, a
   * tool call with a time limit): cancelled with the run, or alone through
   * `scope.abort()`. `scope.detach()` once the work has settled.
   */
  withCancelScope(): { ctx: RunContext; scope: RunAbort } {
    const scope = this.scope.child();
    const child = this.derive();
    (child as unknown as { scope: RunAbort }).scope = scope;
    return { ctx: child, scope };
  }

  /** This run's (or branch's) cancellation signal, made on first use. */
  get signal(): AbortSignal {
    return this.scope.signal;
  }

  /** Calls `listener` when this run (or branch) is cancelled, at once if it already is; returns the unsubscribe. */
  onAbort(listener: (reason: unknown) => void): () => void {
    return this.scope.subscribe(listener);
  }

  /** True once the run (or this branch) is cancelled; cheaper than `signal.aborted` (makes no signal). */
  get aborted(): boolean {
    return this.scope.aborted;
  }

  /** Why the run (or this branch) was cancelled, once it is (makes no signal). */
  get abortReason(): unknown {
    return this.scope.reason;
  }

  /**
   * A shallow copy: every field (hooks included), same prototype. Not
   * Object.create(this): V8 gives each new prototype object its own map
   * (~9 µs and old-space garbage per child context on the hot path).
   */
  private derive(): RunContext {
    const proto = Object.getPrototypeOf(this) as object;
    // A context made elsewhere with Object.create(ctx) keeps its prototype chain.
    if (proto !== RunContext.prototype) return Object.assign(Object.create(proto) as RunContext, this);
    // Through the constructor (no new ids, budget, tracer or scope made), then every field copied:
    // all contexts of all runs share one map, so property access stays monomorphic.
    const child = new RunContext({ runId: this.runId, budget: this.budget, tracer: this.tracer, metadata: this.metadata }, this.scope);
    return Object.assign(child, this);
  }

  throwIfAborted(): void {
    if (this.scope.aborted) throw asAbortError(this.scope.reason);
  }
}

/** The error a step throws when its signal fires: the budget's own error, or RunAborted. */
export function asAbortError(reason: unknown): Error {
  // Our own typed errors (BudgetExceeded, TimeoutError…) pass through; a bare abort() gives a
  // DOMException, whose `code` is a number, and becomes RunAborted like any other reason.
  if (reason instanceof Error && typeof (reason as { code?: unknown }).code === 'string') return reason;
  return new RunAborted(reason);
}
