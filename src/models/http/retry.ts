/**
 * Our retry policy for provider calls. The SDKs' own retries are off, so
 * every attempt is ours and visible (onRetry → the model span and a warn log).
 * Retried: 429, 5xx, connection errors and timeouts, with exponential backoff
 * and full jitter; a server's Retry-After / retry-after-ms is honoured.
 * Never retried: other 4xx. Each attempt has its own deadline, so a hung
 * connection fails and is retried instead of hanging the run.
 */
import { asAbortError } from '../../core/context.js';
import { ModelError } from '../../core/errors.js';
import type { RetryInfo } from '../../core/model.js';

export interface RetryPolicy {
  /** Retries after the first attempt (0 = one attempt only). */
  maxRetries: number;
  /** Per-attempt deadline; for streams, the longest silence between two events. */
  timeoutMs: number;
  /** Backoff base: attempt n waits random(0, min(maxDelayMs, baseDelayMs * 2^n)). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest Retry-After we wait out; a server asking for more fails the call (retryable). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  timeoutMs: 60_000,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 120_000,
};

export type { RetryInfo };

/** What went wrong in one attempt, as far as retrying is concerned. */
export interface Failure {
  retryable: boolean;
  message: string;
  status?: number;
  requestId?: string;
  retryAfterMs?: number;
}

export type Classify = (err: unknown) => Failure;

export interface RetryOptions {
  provider: string;
  policy: RetryPolicy;
  classify: Classify;
  signal?: AbortSignal;
  onRetry?: (info: RetryInfo) => void;
  /** Runs before every attempt, outside its deadline (the client-side rate limiter waits here). */
  beforeAttempt?: (signal: AbortSignal | undefined) => Promise<void>;
  /** Injectable for tests. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * One attempt's cancellation: the caller's signal plus a timer. `reset()`
 * restarts the timer (streams call it per event), `pause()` stops it while
 * the consumer holds an event.
 */
export class AttemptDeadline {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onParentAbort = () => this.controller.abort(this.parent!.reason);
  timedOut = false;

  constructor(
    readonly ms: number,
    private readonly parent?: AbortSignal,
  ) {
    parent?.addEventListener('abort', this.onParentAbort, { once: true });
    this.reset();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  reset(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.controller.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error(`no response within ${this.ms} ms`));
    }, this.ms);
  }

  pause(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  clear(): void {
    this.pause();
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }
}

/** Runs `attempt` under the retry policy; final failures become a ModelError. */
export async function withRetry<T>(attempt: (signal: AbortSignal) => Promise<T>, options: RetryOptions): Promise<T> {
  const { value, deadline } = await retryLoop((d) => attempt(d.signal), options);
  deadline.clear();
  return value;
}

/**
 * The loop itself. On success the attempt's deadline is handed to the caller
 * still armed (a stream keeps using it as its idle timer) and must be cleared.
 */
export async function retryLoop<T>(
  attempt: (deadline: AttemptDeadline) => Promise<T>,
  options: RetryOptions,
): Promise<{ value: T; deadline: AttemptDeadline }> {
  const { policy, signal } = options;
  const sleep = options.sleep ?? abortableSleep;
  for (let n = 0; ; n++) {
    if (signal?.aborted) throw asAbortError(signal.reason);
    if (options.beforeAttempt) await options.beforeAttempt(signal);
    const deadline = new AttemptDeadline(policy.timeoutMs, signal);
    let failure: Failure;
    let cause: unknown;
    try {
      return { value: await attempt(deadline), deadline };
    } catch (err) {
      deadline.clear();
      if (signal?.aborted) throw asAbortError(signal.reason);
      if (err instanceof ModelError) throw err; // already final (a provider's own verdict)
      failure = deadline.timedOut ? timeoutFailure(policy.timeoutMs) : options.classify(err);
      cause = err;
    }
    if (!failure.retryable || n >= policy.maxRetries) throw finalError(options.provider, failure, cause, n + 1);
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxRetryAfterMs) {
      throw finalError(
        options.provider,
        { ...failure, message: `${failure.message} (server asked to wait ${failure.retryAfterMs} ms, more than maxRetryAfterMs ${policy.maxRetryAfterMs})` },
        cause,
        n + 1,
      );
    }
    const delayMs = retryDelay(n, failure.retryAfterMs, policy, options.random ?? Math.random);
    options.onRetry?.({ attempt: n + 1, status: failure.status, delayMs, error: failure.message });
    await sleep(delayMs, signal);
  }
}

/** Full jitter (random between 0 and the capped exponential), but never sooner than the server asked. */
export function retryDelay(retry: number, retryAfterMs: number | undefined, policy: RetryPolicy, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const jittered = Math.floor(random() * cap);
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}

export function timeoutFailure(ms: number): Failure {
  return { retryable: true, message: `no response within ${ms} ms` };
}

export function finalError(provider: string, failure: Failure, cause: unknown, attempts: number): ModelError {
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return new ModelError(provider, `${failure.message}${tries}`, {
    status: failure.status,
    requestId: failure.requestId,
    retryable: failure.retryable,
    cause,
  });
}

/** Retry-After as milliseconds: `retry-after-ms`, else `retry-after` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const v = Number(ms);
    if (Number.isFinite(v) && v >= 0) return Math.ceil(v);
  }
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return undefined;
  const seconds = Number(ra);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Statuses worth another attempt: rate limited, or the server's own failure. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

interface SdkLikeError {
  status?: unknown;
  headers?: { get(name: string): string | null };
  message?: string;
}

/**
 * Classifier for the Stainless-generated SDKs (openai, @anthropic-ai/sdk):
 * APIError has `status` and `headers`; connection failures and SDK timeouts
 * are instances of the SDK's APIConnectionError.
 */
export function sdkClassifier(requestIdHeader: string, isConnectionError: (err: unknown) => boolean): Classify {
  return (err) => {
    const e = (err ?? {}) as SdkLikeError;
    const message = typeof e.message === 'string' && e.message ? e.message : String(err);
    if (typeof e.status === 'number') {
      return {
        retryable: isRetryableStatus(e.status),
        message,
        status: e.status,
        requestId: e.headers?.get(requestIdHeader) ?? undefined,
        retryAfterMs: parseRetryAfter(e.headers),
      };
    }
    if (isConnectionError(err)) return { retryable: true, message: `connection failed: ${connectionDetail(err, message)}` };
    return { retryable: false, message };
  };
}

function connectionDetail(err: unknown, message: string): string {
  const cause = (err as { cause?: unknown }).cause;
  const inner = cause instanceof Error ? ((cause as { cause?: unknown }).cause instanceof Error ? (cause as { cause: Error }).cause : cause) : undefined;
  return inner && inner.message && inner.message !== message ? `${message} (${inner.message})` : message;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(asAbortError(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(asAbortError(signal!.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
