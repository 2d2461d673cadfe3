import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/core/errors.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay, withRetry, type Failure, type RetryInfo } from '../../src/models/http/retry.js';

const headers = (h: Record<string, string>) => new Headers(h);

describe('parseRetryAfter', () => {
  it('reads seconds, fractional seconds, retry-after-ms and HTTP dates', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfter(headers({ 'retry-after': '0.5' }))).toBe(500);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    const now = Date.parse('2026-11-25T08:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 25 Nov 2026 08:00:03 GMT' }), now)).toBe(3000);
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 25 Nov 2026 07:59:00 GMT' }), now)).toBe(0);
  });

  it('ignores absent and unparseable values', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter(headers({}))).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(headers({ 'retry-after': '-3' }))).toBeUndefined();
  });
});

describe('retryDelay (full jitter)', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
  it('draws between 0 and the capped exponential', () => {
    expect(retryDelay(0, undefined, policy, () => 0.999)).toBe(99);
    expect(retryDelay(3, undefined, policy, () => 0.5)).toBe(400);
    expect(retryDelay(10, undefined, policy, () => 0.999)).toBe(999);
    expect(retryDelay(2, undefined, policy, () => 0)).toBe(0);
  });
  it('never goes below the server-requested wait', () => {
    expect(retryDelay(0, 1500, policy, () => 0.1)).toBe(1500);
  });
});

describe('withRetry', () => {
  const classify = (err: unknown): Failure => {
    const status = (err as { status?: number }).status;
    return { retryable: status === undefined || status === 429 || status >= 500, status, message: String((err as Error).message) };
  };
  const fast = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 2 };

  it('retries retryable failures and reports each retry', async () => {
    let n = 0;
    const retries: RetryInfo[] = [];
    const out = await withRetry(
      async () => {
        n++;
        if (n < 3) throw Object.assign(new Error(`fail ${n}`), { status: 503 });
        return 'ok';
      },
      { provider: 'p', policy: fast, classify, onRetry: (i) => retries.push(i) },
    );
    expect(out).toBe('ok');
    expect(retries.map((r) => [r.attempt, r.status, r.error])).toEqual([
      [1, 503, 'fail 1'],
      [2, 503, 'fail 2'],
    ]);
  });

  it('maxRetries 0 means one attempt', async () => {
    let n = 0;
    const err = await withRetry(
      async () => {
        n++;
        throw Object.assign(new Error('down'), { status: 500 });
      },
      { provider: 'p', policy: { ...fast, maxRetries: 0 }, classify },
    ).catch((e: unknown) => e);
    expect(n).toBe(1);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ status: 500, retryable: true, provider: 'p' });
  });

  it('each attempt gets its own deadline', async () => {
    let n = 0;
    const out = await withRetry(
      (signal) =>
        new Promise<string>((resolve, reject) => {
          n++;
          if (n === 1) signal.addEventListener('abort', () => reject(new Error('aborted by deadline')));
          else resolve('second');
        }),
      { provider: 'p', policy: { ...fast, timeoutMs: 50 }, classify: () => ({ retryable: false, message: 'not retried by classify' }) },
    );
    // The first attempt timed out (classified as a timeout, so retried despite classify saying no).
    expect(out).toBe('second');
    expect(n).toBe(2);
  });
});
