import { describe, expect, it } from 'vitest';
import { ConfigError, RunAborted } from '../../src/core/errors.js';
import { RateLimiter, type Clock } from '../../src/models/http/rate-limit.js';
import { OpenAIResponsesModel } from '../../src/models/openai.js';
import { jsonReply, responseObject } from '../support/wire/openai-responses.js';
import { wireServerPerTest } from '../support/wire/server.js';

/** A clock that moves only when told to; sleepers wake when their time comes. */
class FakeClock implements Clock {
  t = 0;
  private sleepers: { until: number; resolve: () => void }[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = { until: this.t + ms, resolve };
      this.sleepers.push(s);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((x) => x !== s);
        reject(new RunAborted(signal.reason));
      });
    });
  }
  /** Moves time forward and lets the woken sleepers run. */
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.until <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.until > this.t);
    for (const s of due) s.resolve();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
  get waiting(): number {
    return this.sleepers.length;
  }
}

/** Starts acquire and reports whether it has resolved yet. */
function track(p: Promise<void>) {
  const state = { done: false, error: undefined as unknown };
  p.then(
    () => (state.done = true),
    (e: unknown) => (state.error = e),
  );
  return state;
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('RateLimiter (token buckets)', () => {
  it('lets requests through up to the per-minute limit, then makes the next wait for a refill', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 2 }, clock);
    await limiter.acquire(0);
    await limiter.acquire(0);
    const third = track(limiter.acquire(0));
    await flush();
    expect(third.done).toBe(false);
    await clock.advance(29_000);
    expect(third.done).toBe(false);
    await clock.advance(1_000); // 2 per minute = one every 30 s
    expect(third.done).toBe(true);
  });

  it('limits tokens per minute, with an oversized request waiting off its debt', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ tokensPerMinute: 1000 }, clock);
    await limiter.acquire(600);
    const second = track(limiter.acquire(600)); // 200 short → 200/1000 of a minute = 12 s
    await flush();
    expect(second.done).toBe(false);
    await clock.advance(11_999);
    expect(second.done).toBe(false);
    await clock.advance(1);
    expect(second.done).toBe(true);
  });

  it('serves waiters in arrival order', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 60 }, clock); // one a second after the burst
    for (let i = 0; i < 60; i++) await limiter.acquire(0);
    const order: number[] = [];
    const waits = [1, 2, 3].map((n) => limiter.acquire(0).then(() => order.push(n)));
    for (let i = 0; i < 3; i++) await clock.advance(1000);
    await Promise.all(waits);
    expect(order).toEqual([1, 2, 3]);
  });

  it('an aborted wait rejects and gives its reservation back', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 1 }, clock);
    await limiter.acquire(0);
    const ac = new AbortController();
    const waiting = track(limiter.acquire(0, ac.signal));
    await flush();
    ac.abort('stop');
    await flush();
    expect(waiting.error).toBeInstanceOf(RunAborted);
    expect(clock.waiting).toBe(0);
    // With the reservation returned, the next caller waits one interval, not two.
    const next = track(limiter.acquire(0));
    await clock.advance(60_000);
    expect(next.done).toBe(true);
  });

  it('settle charges usage above the estimate (and refunds below it)', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ tokensPerMinute: 1000 }, clock);
    await limiter.acquire(100);
    limiter.settle(100, 900); // the call really used 900
    expect(limiter.available().tokens).toBe(100);
    limiter.settle(500, 100); // and another used 400 less than reserved
    expect(limiter.available().tokens).toBe(500);
  });

  it('rejects a bad limit with a ConfigError naming it', () => {
    expect(() => new RateLimiter({ requestsPerMinute: 0 })).toThrow(ConfigError);
    expect(() => new RateLimiter({ tokensPerMinute: -5 })).toThrow(/tokensPerMinute/);
  });
});

describe('a model with a rate limiter', () => {
  const serve = wireServerPerTest();

  it('holds the second call until the limiter refills (shared limiter, fake clock)', async () => {
    const server = await serve(() => jsonReply(responseObject([{ text: 'ok' }])));
    const clock = new FakeClock();
    const rateLimiter = new RateLimiter({ requestsPerMinute: 1 }, clock);
    const m = new OpenAIResponsesModel('gpt-4o', { baseUrl: `${server.origin}/v1`, apiKey: 'k', rateLimiter });
    const ask = { messages: [{ role: 'user' as const, content: 'hi' }] };
    await m.generate(ask);
    expect(server.requests).toHaveLength(1);
    const second = m.generate(ask);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests).toHaveLength(1); // held by the limiter, not sent
    expect(clock.waiting).toBe(1);
    await clock.advance(60_000);
    await second;
    expect(server.requests).toHaveLength(2);
  });
});
