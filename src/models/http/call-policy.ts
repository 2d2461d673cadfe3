/**
 * What every real provider does around a call: wait for the client-side rate
 * limiter, run the attempt under the retry policy, and for streams retry only
 * until the first event arrives (after that, a failure is final: events have
 * already reached the caller). Providers supply the attempt and a classifier.
 */
import { asAbortError } from '../../core/context.js';
import { ConfigError, ModelError } from '../../core/errors.js';
import { contentChars } from '../../core/messages.js';
import type { CallOptions, ModelRequest, Usage } from '../../core/model.js';
import type { ModelSpecOptions } from '../spec-options.js';
import { RateLimiter } from './rate-limit.js';
import { DEFAULT_RETRY_POLICY, finalError, retryLoop, timeoutFailure, withRetry, type Classify, type RetryOptions, type RetryPolicy } from './retry.js';

export class CallPolicy {
  readonly retry: RetryPolicy;
  readonly limiter: RateLimiter | undefined;

  constructor(
    readonly provider: string,
    options: ModelSpecOptions,
    private readonly classify: Classify,
  ) {
    this.retry = {
      maxRetries: nonNegativeInt('maxRetries', options.maxRetries, DEFAULT_RETRY_POLICY.maxRetries),
      timeoutMs: positive('timeoutMs', options.timeoutMs, DEFAULT_RETRY_POLICY.timeoutMs),
      baseDelayMs: positive('retryBaseDelayMs', options.retryBaseDelayMs, DEFAULT_RETRY_POLICY.baseDelayMs),
      maxDelayMs: positive('retryMaxDelayMs', options.retryMaxDelayMs, DEFAULT_RETRY_POLICY.maxDelayMs),
      maxRetryAfterMs: positive('maxRetryAfterMs', options.maxRetryAfterMs, DEFAULT_RETRY_POLICY.maxRetryAfterMs),
    };
    this.limiter =
      options.rateLimiter ??
      (options.requestsPerMinute || options.tokensPerMinute
        ? new RateLimiter({ requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute })
        : undefined);
  }

  /** One call: rate limit, attempts with retries, then the limiter corrected with the real usage. */
  async call<T>(request: ModelRequest, options: CallOptions | undefined, attempt: (signal: AbortSignal) => Promise<T>, usageOf: (value: T) => Usage): Promise<T> {
    const estimate = this.limiter?.limitsTokens ? estimateTokens(request) : 0;
    const value = await withRetry(attempt, this.retryOptions(options, estimate));
    if (this.limiter) this.settle(estimate, usageOf(value));
    return value;
  }

  /**
   * A stream of raw provider events. Opening the stream and receiving its first
   * event are retried; later failures (and silences longer than timeoutMs) end
   * the stream with a ModelError. Call `settleStream` with the final usage.
   */
  async *stream<R>(request: ModelRequest, options: CallOptions | undefined, open: (signal: AbortSignal) => Promise<AsyncIterable<R>>): AsyncGenerator<R> {
    const estimate = this.limiter?.limitsTokens ? estimateTokens(request) : 0;
    const { value, deadline } = await retryLoop(async (d) => {
      const it = (await open(d.signal))[Symbol.asyncIterator]();
      const first = await it.next();
      // The SDKs end a stream quietly when its signal aborts: make that the timeout (or cancellation) it was.
      if (first.done && d.signal.aborted) throw d.signal.reason;
      return { it, first };
    }, this.retryOptions(options, estimate));
    const { it } = value;
    let next = value.first;
    try {
      while (!next.done) {
        deadline.pause();
        yield next.value;
        deadline.reset();
        try {
          next = await it.next();
        } catch (err) {
          throw this.midStreamError(err, deadline.timedOut, deadline.ms, options?.signal);
        }
      }
      if (deadline.signal.aborted) throw this.midStreamError(undefined, deadline.timedOut, deadline.ms, options?.signal);
    } finally {
      deadline.clear();
      if (!next.done) await it.return?.();
    }
  }

  /** Corrects the limiter with a finished stream's real usage. */
  settleStream(request: ModelRequest, usage: Usage): void {
    if (this.limiter) this.settle(this.limiter.limitsTokens ? estimateTokens(request) : 0, usage);
  }

  private settle(estimate: number, usage: Usage): void {
    this.limiter?.settle(estimate, usage.inputTokens + usage.outputTokens);
  }

  private retryOptions(options: CallOptions | undefined, estimate: number): RetryOptions {
    const limiter = this.limiter;
    return {
      provider: this.provider,
      policy: this.retry,
      classify: this.classify,
      signal: options?.signal,
      onRetry: options?.onRetry,
      beforeAttempt: limiter ? (signal) => limiter.acquire(estimate, signal) : undefined,
    };
  }

  private midStreamError(err: unknown, timedOut: boolean, ms: number, signal: AbortSignal | undefined): Error {
    if (signal?.aborted) return asAbortError(signal.reason);
    if (err instanceof ModelError) return err;
    const failure = timedOut ? timeoutFailure(ms) : this.classify(err);
    return finalError(this.provider, { ...failure, message: `stream interrupted: ${failure.message}` }, err, 1);
  }
}

/** A cheap input-size estimate (~4 characters a token) for the tokens-per-minute bucket. */
export function estimateTokens(request: ModelRequest): number {
  let chars = 0;
  for (const m of request.messages) {
    chars += contentChars(m.content);
    if (m.role === 'assistant' && m.toolCalls) for (const c of m.toolCalls) chars += c.arguments.length + c.name.length;
  }
  if (request.tools) for (const t of request.tools) chars += t.description.length + JSON.stringify(t.parameters).length;
  if (request.output) chars += JSON.stringify(request.output.schema).length;
  return Math.ceil(chars / 4);
}

/** The first configured value: an explicit option, then an environment variable. */
export function setting(option: string | undefined, envVar: string): string | undefined {
  if (option) return option;
  const v = process.env[envVar];
  return v ? v : undefined;
}

function positive(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new ConfigError(field, `must be a number > 0, got ${value}`);
  return value;
}

function nonNegativeInt(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= 0)) throw new ConfigError(field, `must be an integer >= 0, got ${value}`);
  return value;
}
