/**
 * Everything a step needs about the run it belongs to: ids, cancellation,
 * the shared budget, the tracer, the logger and the store. Nested steps get
 * a child context that differs only in the parent span.
 */
import { randomUUID } from 'node:crypto';
import { Budget, type BudgetLimits } from './budget.js';
import { RunAborted } from './errors.js';
import { defaultLogger, type Logger } from './logger.js';
import type { TraceSink } from './span.js';
import type { Store } from './store.js';
import { Tracer } from './tracer.js';
import type { ApprovalGate } from './tool.js';

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
  /** Free-form values a step may read (tenant, user, feature flags). */
  metadata?: Record<string, unknown>;
}

export class RunContext {
  readonly runId: string;
  readonly requestId: string;
  readonly signal: AbortSignal;
  readonly budget: Budget;
  readonly tracer: Tracer;
  readonly store: Store | undefined;
  readonly approvals: ApprovalGate | undefined;
  readonly metadata: Record<string, unknown>;
  /** The span new spans of this context hang under. */
  readonly spanId: string | undefined;
  private readonly baseLogger: Logger | undefined;
  private childLogger: Logger | undefined;

  constructor(options: RunContextOptions & { tracer?: Tracer; spanId?: string } = {}) {
    this.runId = options.runId ?? randomUUID();
    this.requestId = options.requestId ?? this.runId;
    this.signal = options.signal ?? new AbortController().signal;
    this.budget = options.budget instanceof Budget ? options.budget : new Budget(options.budget);
    this.tracer = options.tracer ?? new Tracer(this.runId, options.sinks);
    this.store = options.store;
    this.approvals = options.approvals;
    this.metadata = options.metadata ?? {};
    this.spanId = options.spanId;
    this.baseLogger = options.logger;
  }

  /** A pino child logger bound to this run's ids (built on first use: most turns never log). */
  get logger(): Logger {
    return (this.childLogger ??= (this.baseLogger ?? defaultLogger()).child({ runId: this.runId, requestId: this.requestId }));
  }

  /** The same run, with new spans hanging under `spanId`. */
  withSpan(spanId: string): RunContext {
    const child = Object.create(this) as RunContext;
    (child as { spanId: string }).spanId = spanId;
    return child;
  }

  /** The same run with a narrower cancellation signal (a branch that can be cancelled alone). */
  withSignal(signal: AbortSignal): RunContext {
    const child = Object.create(this) as RunContext;
    (child as { signal: AbortSignal }).signal = signal;
    return child;
  }

  throwIfAborted(): void {
    if (this.signal.aborted) throw asAbortError(this.signal.reason);
  }
}

/** The error a step throws when its signal fires: the budget's own error, or RunAborted. */
export function asAbortError(reason: unknown): Error {
  if (reason instanceof Error && 'code' in reason) return reason;
  return new RunAborted(reason);
}
