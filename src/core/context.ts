/**
 * Everything a step needs about the run it belongs to: ids, cancellation,
 * the shared budget, the tracer, the logger, the store, and where in the run
 * the step stands (its span, its step path, the interceptors over it).
 * Derived contexts come from one place, `ctx.with(...)`.
 */
import type { ApprovalAnswer, ApprovalContext, ApprovalRequest } from './approval.js';
import { Budget, type BudgetLimits } from './budget.js';
import { CancelScope } from './cancel-scope.js';
import { RunAborted } from './errors.js';
import { defaultLogger, type Logger } from './logger.js';
import { newRunId } from './run-id.js';
import type { TraceSink } from './span.js';
import type { RunStore } from './store.js';
import { Tracer } from './tracer.js';

/** Decides human approvals. src/hitl implements it; without one, approval-gated calls are refused. */
export interface ApprovalGate {
  authorize(request: ApprovalRequest, ctx: RunContext): Promise<ApprovalAnswer>;
}

/**
 * An interceptor as a context carries it. Only the carrier is declared here:
 * the interceptor's own shape (src/core/interceptor.ts) takes a RunContext,
 * and this file must not import what imports it.
 */
export interface CarriedInterceptor {
  readonly name?: string;
}

export interface RunContextOptions {
  runId?: string;
  requestId?: string;
  signal?: AbortSignal;
  budget?: Budget | BudgetLimits;
  sinks?: readonly TraceSink[];
  /** A tracer of your own, one per run (a resumed durable run continues its trace); by default a new one with `sinks`. */
  tracer?: Tracer;
  logger?: Logger;
  store?: RunStore;
  /** Decides human approvals for tools that need one (see src/hitl). */
  approvals?: ApprovalGate;
  /** Wrap every model, tool and step call of the run, outermost first (src/core/interceptor.ts). */
  interceptors?: readonly CarriedInterceptor[];
  /** Free-form values a step may read (tenant, user, feature flags). */
  metadata?: Record<string, unknown>;
}

/** What a derived context changes: what steps really carry down to the steps beneath them. */
export interface ContextChanges {
  /** The span new spans hang under. */
  spanId?: string;
  /** The readable step path ("incident-triage/parallel/logs"). */
  path?: string;
  /** A cancellation scope of its own (a child of this context's `cancel`). */
  cancel?: CancelScope;
  /** Another budget (a worker's share of the run's). */
  budget?: Budget;
  /** The interceptors over the calls beneath (the parent's, plus or minus some). */
  interceptors?: readonly CarriedInterceptor[];
  /** Evidence and a recommendation for the next approval request. */
  approval?: ApprovalContext;
}

/** A context's every field: a new run's options and where in the run it stands (`run()` and `with()` give both). */
export interface RunContextInit extends RunContextOptions, Omit<ContextChanges, 'budget'> {}

/** Shared by every run that has none (steps read metadata, they do not write it). */
const NO_METADATA: Record<string, unknown> = Object.freeze({});
const NO_INTERCEPTORS: readonly CarriedInterceptor[] = Object.freeze([]);

export class RunContext {
  readonly runId: string;
  readonly requestId: string;
  readonly budget: Budget;
  readonly tracer: Tracer;
  readonly store: RunStore | undefined;
  readonly approvals: ApprovalGate | undefined;
  readonly metadata: Record<string, unknown>;
  /** The span new spans of this context hang under. */
  readonly spanId: string | undefined;
  /** Where this context stands in the run: the step names from the root down, joined by "/". */
  readonly path: string;
  /** The interceptors over this context's calls, outermost first. */
  readonly interceptors: readonly CarriedInterceptor[];
  /** Evidence and a recommendation for the next approval request, when a workflow attached them. */
  readonly approval: ApprovalContext | undefined;
  /** The run's or this branch's cancellation; a caller's `signal` is followed by it. */
  readonly cancel: CancelScope;
  private readonly baseLogger: Logger | undefined;
  private childLogger: Logger | undefined;

  /**
   * A new run's context. With `options.signal`, its cancellation follows that signal until it fires or
   * `ctx.cancel.detach()` (run() detaches at the end of the run, so a long-lived signal does not collect
   * a listener per run). Steps derive contexts with `with()`.
   */
  constructor(init: RunContextInit = {}) {
    this.runId = init.runId ?? newRunId();
    this.requestId = init.requestId ?? this.runId;
    this.budget = init.budget instanceof Budget ? init.budget : new Budget(init.budget);
    this.tracer = init.tracer ?? new Tracer(this.runId, init.sinks);
    this.store = init.store;
    this.approvals = init.approvals;
    this.metadata = init.metadata ?? NO_METADATA;
    this.spanId = init.spanId;
    this.path = init.path ?? '';
    this.interceptors = init.interceptors ?? NO_INTERCEPTORS;
    this.approval = init.approval;
    this.cancel = init.cancel ?? new CancelScope();
    this.baseLogger = init.logger;
    if (init.signal) this.cancel.follow(init.signal);
  }

  /** The same run, with `changes` applied: the one way to make a context for the steps beneath this one. */
  with(changes: ContextChanges): RunContext {
    const init: RunContextInit = {
      runId: this.runId,
      requestId: this.requestId,
      budget: changes.budget ?? this.budget,
      tracer: this.tracer,
      store: this.store,
      approvals: this.approvals,
      metadata: this.metadata,
      logger: this.baseLogger,
      spanId: changes.spanId ?? this.spanId,
      path: changes.path ?? this.path,
      interceptors: changes.interceptors ?? this.interceptors,
      approval: changes.approval ?? this.approval,
      cancel: changes.cancel ?? this.cancel,
    };
    return new RunContext(init);
  }

  /** A pino child logger bound to this run's ids (built on first use: most turns never log). */
  get logger(): Logger {
    return (this.childLogger ??= (this.baseLogger ?? defaultLogger()).child({ runId: this.runId, requestId: this.requestId }));
  }

  /** This run's (or branch's) cancellation signal, made on first use. */
  get signal(): AbortSignal {
    return this.cancel.signal;
  }

  /** Calls `listener` when this run (or branch) is cancelled, at once if it already is; returns the unsubscribe. */
  onAbort(listener: (reason: unknown) => void): () => void {
    return this.cancel.subscribe(listener);
  }

  /** True once the run (or this branch) is cancelled; cheaper than `signal.aborted` (makes no signal). */
  get aborted(): boolean {
    return this.cancel.aborted;
  }

  /** Why the run (or this branch) was cancelled, once it is (makes no signal). */
  get abortReason(): unknown {
    return this.cancel.reason;
  }

  throwIfAborted(): void {
    if (this.cancel.aborted) throw asAbortError(this.cancel.reason);
  }
}

/** The error a step throws when its signal fires: the budget's own error, or RunAborted. */
export function asAbortError(reason: unknown): Error {
  // Our own typed errors (BudgetExceeded, TimeoutError…) pass through; a bare abort() gives a
  // DOMException, whose `code` is a number, and becomes RunAborted like any other reason.
  if (reason instanceof Error && typeof (reason as { code?: unknown }).code === 'string') return reason;
  return new RunAborted(reason);
}
