/**
 * Typed errors. Every error the library raises on purpose extends
 * AgentPatternsError and carries a stable `code`, so callers branch on codes,
 * not on message text. Each carries a `Symbol.for` brand naming its classes,
 * so checks hold across two copies of the package (two versions in one
 * node_modules, a bundle and its peer): `isAgentPatternsError(err, BudgetExceeded)`,
 * and `instanceof`, which reads the brand too.
 */
import { scrubError, scrubText } from './secrets.js';
import type { SpanRecord } from './span.js';

const BRAND = Symbol.for('agent-patterns.error');

/** The class names from `target` up to AgentPatternsError: what a brand check matches. */
function kindsOf(target: Function): readonly string[] {
  const kinds: string[] = [];
  for (let c: Function | null = target; c && c !== Error && c !== Function.prototype; c = Object.getPrototypeOf(c) as Function | null) kinds.push(c.name);
  return kinds;
}

export class AgentPatternsError extends Error {
  readonly code: string;
  /** The brand: the names of this error's classes, read by `isAgentPatternsError` in any copy of the package. */
  declare readonly [BRAND]: readonly string[];
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    // Messages are built from causes and provider answers, which may quote a secret; so may the cause itself.
    super(scrubText(message), options);
    if (options?.cause !== undefined) scrubError(options.cause);
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: kindsOf(new.target) });
  }

  /** `err instanceof BudgetExceeded` checks the brand, so it holds for an error made by another copy of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isAgentPatternsError(value, this);
  }
}

/**
 * True when `value` is an error of this library (of class `kind` when given, subclasses
 * included), whichever copy of the package made it.
 */
export function isAgentPatternsError<E extends AgentPatternsError = AgentPatternsError>(
  value: unknown,
  kind?: abstract new (...args: never[]) => E,
): value is E {
  if (typeof value !== 'object' || value === null) return false;
  const kinds = (value as { [BRAND]?: unknown })[BRAND];
  return Array.isArray(kinds) && (kind === undefined || kinds.includes(kind.name));
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

/**
 * A guardrail refused an input or an output (src/core/guardrail.ts). Stops the run: a refusal is
 * never fed back to a model as a tool error it could route around.
 */
export class GuardrailTripped extends AgentPatternsError {
  readonly guardrail: string;
  readonly stage: 'input' | 'output';
  readonly reason: string;
  constructor(guardrail: string, stage: 'input' | 'output', reason: string) {
    super('GUARDRAIL_TRIPPED', `${stage} guardrail "${guardrail}" tripped: ${reason}`);
    this.guardrail = guardrail;
    this.stage = stage;
    this.reason = reason;
  }
}

/** True for errors that must stop the whole run instead of being fed back to a model. */
export function isFatal(err: unknown): boolean {
  return (
    isAgentPatternsError(err, BudgetExceeded) ||
    isAgentPatternsError(err, RunAborted) ||
    isAgentPatternsError(err, RunSuspended) ||
    isAgentPatternsError(err, GuardrailTripped)
  );
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The run is waiting for something outside it (a human approval) and has
 * stopped without holding a process. Not a failure: thrown inside the run
 * (an approval gate throws it, parallel branches merge theirs), it is a
 * result at the run's boundary — `run()` and `durableRun()` return
 * `status: 'suspended'` with `pending`, the ids of what it waits for.
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

/**
 * A run failed on an error that is not the library's own (a user's step or tool, a third-party
 * library): `cause` is that error, untouched; this wrapper carries the run's id, trace and usage.
 */
export class RunFailed extends AgentPatternsError {
  readonly runId: string;
  readonly trace: SpanRecord[];
  readonly usage: unknown;
  constructor(runId: string, cause: unknown, trace: SpanRecord[], usage: unknown) {
    // The cause's own message: logs and dead letters read as the error that happened.
    super('RUN_FAILED', errorMessage(cause), { cause });
    this.runId = runId;
    this.trace = trace;
    this.usage = usage;
  }
}
