/**
 * Typed errors. Every error the library raises on purpose extends
 * AgentPatternsError and carries a stable `code`, so callers branch on codes,
 * not on message text.
 */
import { scrubError, scrubText } from './secrets.js';
import type { SpanRecord } from './span.js';

export class AgentPatternsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    // Messages are built from causes and provider answers, which may quote a secret; so may the cause itself.
    super(scrubText(message), options);
    if (options?.cause !== undefined) scrubError(options.cause);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A bad configuration value: fails fast with the field named. */
export class ConfigError extends AgentPatternsError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('CONFIG_ERROR', `${field}: ${message}`);
    this.field = field;
  }
}

export type BudgetLimitName =
  | 'maxModelTurns'
  | 'maxToolCalls'
  | 'maxInputTokens'
  | 'maxOutputTokens'
  | 'maxTotalTokens'
  | 'maxCostUsd'
  | 'maxWallMs';

/** A run went over one of its budget caps. Carries the partial trace once `run()` has seen it. */
export class BudgetExceeded extends AgentPatternsError {
  readonly limit: BudgetLimitName;
  readonly max: number;
  readonly used: number;
  /** Spans recorded before the cap tripped (attached by `run()`). */
  trace: SpanRecord[] = [];
  /** Usage at the moment the cap tripped (attached by `run()`). */
  usage: unknown = undefined;
  constructor(limit: BudgetLimitName, max: number, used: number) {
    super('BUDGET_EXCEEDED', `budget exceeded: ${limit} is ${max}, run reached ${used}`);
    this.limit = limit;
    this.max = max;
    this.used = used;
  }
}

/** The run was cancelled through its AbortSignal. */
export class RunAborted extends AgentPatternsError {
  constructor(reason?: unknown) {
    super('RUN_ABORTED', `run aborted${reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' ? `: ${reason}` : ''}`, {
      cause: reason,
    });
  }
}

/** A step of a workflow failed; names the step so the operator knows where. */
export class StepFailed extends AgentPatternsError {
  readonly step: string;
  constructor(step: string, cause: unknown) {
    super('STEP_FAILED', `step "${step}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.step = step;
  }
}

/** A provider call failed for good (after retries, or not retryable). */
export class ModelError extends AgentPatternsError {
  readonly provider: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly retryable: boolean;
  constructor(
    provider: string,
    message: string,
    opts: { status?: number; requestId?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super('MODEL_ERROR', `${provider}: ${message}`, { cause: opts.cause });
    this.provider = provider;
    this.status = opts.status;
    this.requestId = opts.requestId;
    this.retryable = opts.retryable ?? false;
  }
}

/** A message part the provider cannot take (an image in a Chat Completions tool result, a PDF by URL…): raised before any request. */
export class UnsupportedContent extends AgentPatternsError {
  readonly provider: string;
  readonly part: string;
  constructor(provider: string, part: string, why: string) {
    super('UNSUPPORTED_CONTENT', `${provider} cannot take ${part}: ${why}`);
    this.provider = provider;
    this.part = part;
  }
}

/** Model output did not match the requested output schema. */
export class OutputValidationError extends AgentPatternsError {
  readonly issues: string;
  readonly raw: string;
  constructor(issues: string, raw: string) {
    super('OUTPUT_INVALID', `model output does not match the schema: ${issues}`);
    this.issues = issues;
    this.raw = raw;
  }
}

/** Something took longer than its own limit (a tool, a branch, an event). */
export class TimeoutError extends AgentPatternsError {
  readonly ms: number;
  constructor(what: string, ms: number) {
    super('TIMEOUT', `${what} timed out after ${ms} ms`);
    this.ms = ms;
  }
}

/** True for errors that must stop the whole run instead of being fed back to a model. */
export function isFatal(err: unknown): boolean {
  return (
    err instanceof BudgetExceeded ||
    err instanceof RunAborted ||
    err instanceof RunSuspended
  );
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The run is waiting for something outside it (a human approval) and has
 * stopped without holding a process. Not a failure: the durable runtime
 * resumes it when the decision arrives. `pending` lists what it waits for;
 * suspensions of parallel branches merge into one.
 */
export class RunSuspended extends AgentPatternsError {
  readonly pending: string[];
  constructor(pending: string[], message?: string) {
    super('RUN_SUSPENDED', message ?? `run suspended, waiting for: ${pending.join(', ')}`);
    this.pending = pending;
  }

  static merge(errors: readonly RunSuspended[]): RunSuspended {
    return new RunSuspended([...new Set(errors.flatMap((e) => e.pending))]);
  }
}
