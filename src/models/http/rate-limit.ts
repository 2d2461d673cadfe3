/**
 * Client-side rate limiting: requests per minute and tokens per minute, each
 * a token bucket that refills continuously. A caller reserves what it needs
 * at once (the bucket may go into debt) and waits until the debt is repaid,
 * so concurrent callers are served in arrival order and none starves. One
 * limiter may be shared by several models that draw on the same quota.
 */
import { asAbortError } from '../../core/context.js';
import { ConfigError } from '../../core/errors.js';
import { abortableSleep } from './retry.js';

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: abortableSleep,
};

export class TokenBucket {
  private level: number;
  private last: number;
  private readonly perMs: number;

  constructor(
    readonly capacity: number,
    private readonly clock: Clock,
  ) {
    this.perMs = capacity / 60_000;
    this.level = capacity;
    this.last = clock.now();
  }

  /** Takes `n` now and returns how long (ms) until the bucket is out of debt again. */
  reserve(n: number): number {
    this.refill();
    this.level -= n;
    return this.level >= 0 ? 0 : Math.ceil(-this.level / this.perMs);
  }

  /** Returns `n` (a cancelled reservation, or usage smaller than estimated). */
  giveBack(n: number): void {
    this.refill();
    this.level = Math.min(this.capacity, this.level + n);
  }

  /** What is available right now (negative = debt). */
  available(): number {
    this.refill();
    return this.level;
  }

  private refill(): void {
    const now = this.clock.now();
    this.level = Math.min(this.capacity, this.level + (now - this.last) * this.perMs);
    this.last = now;
  }
}

export interface RateLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export class RateLimiter {
  private readonly requests: TokenBucket | undefined;
  private readonly tokens: TokenBucket | undefined;

  constructor(
    limits: RateLimits,
    private readonly clock: Clock = systemClock,
  ) {
    for (const key of ['requestsPerMinute', 'tokensPerMinute'] as const) {
      const v = limits[key];
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new ConfigError(key, `must be a number > 0, got ${v}`);
    }
    this.requests = limits.requestsPerMinute ? new TokenBucket(limits.requestsPerMinute, clock) : undefined;
    this.tokens = limits.tokensPerMinute ? new TokenBucket(limits.tokensPerMinute, clock) : undefined;
  }

  /** True when a tokens-per-minute limit is set (only then is a token estimate worth computing). */
  get limitsTokens(): boolean {
    return this.tokens !== undefined;
  }

  /** Waits until one more request and `tokens` more tokens fit in the limits. Abortable by the signal. */
  async acquire(tokens: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw asAbortError(signal.reason);
    const wait = Math.max(this.requests?.reserve(1) ?? 0, this.tokens?.reserve(tokens) ?? 0);
    if (wait <= 0) return;
    try {
      await this.clock.sleep(wait, signal);
    } catch (err) {
      this.requests?.giveBack(1);
      this.tokens?.giveBack(tokens);
      throw err;
    }
  }

  /** Corrects the token bucket once the call's real usage is known. */
  settle(estimatedTokens: number, actualTokens: number): void {
    if (!this.tokens) return;
    const diff = actualTokens - estimatedTokens;
    if (diff > 0) this.tokens.reserve(diff);
    else if (diff < 0) this.tokens.giveBack(-diff);
  }

  /** Current headroom, for tests and diagnostics. */
  available(): { requests?: number; tokens?: number } {
    return { requests: this.requests?.available(), tokens: this.tokens?.available() };
  }
}
