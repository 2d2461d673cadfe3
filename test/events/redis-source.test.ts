import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consume } from '../../src/events/consume.js';
import { parseRedisStreamUrl, redisPublisher, redisStreamSource } from '../../src/events/redis-streams.js';
import { createLogger } from '../../src/core/logger.js';
import { requireService } from '../support/services.js';
import { FakeEventStore } from './fake-store.js';

describe('Redis Streams source', () => {
  let url: string;
  let redis: Redis;
  const streams: string[] = [];
  const fresh = () => {
    const s = `t-${randomBytes(4).toString('hex')}`;
    streams.push(s);
    return s;
  };
  beforeAll(() => {
    url = requireService('redis');
    redis = new Redis(url);
  });
  afterAll(async () => {
    if (streams.length) await redis.del(...streams);
    redis.disconnect();
  });

  it('parses redis://host:port/stream and names the field on a bad one', () => {
    expect(parseRedisStreamUrl('redis://127.0.0.1:6379/pay%3Ain')).toEqual({ url: 'redis://127.0.0.1:6379', stream: 'pay:in' });
    expect(() => parseRedisStreamUrl('redis://127.0.0.1:6379', '--source')).toThrow(/--source: names no stream/);
    expect(() => parseRedisStreamUrl('http://x/y', '--source')).toThrow(/--source: expected redis/);
  });

  it('does not let another worker claim an entry a live worker is still handling (heartbeat)', async () => {
    const stream = fresh();
    const pub = await redisPublisher(url, stream);
    await pub.publish('slow-1', { n: 1 });
    await pub.close();
    const opts = { url, stream, group: 'g', blockMs: 50, claimIdleMs: 600 };
    const busy = await redisStreamSource({ ...opts, consumerName: 'busy' });
    const other = await redisStreamSource({ ...opts, consumerName: 'other' });
    const signal = new AbortController().signal;
    const [held] = (await busy.pull(1, signal))!;
    expect(held!.id).toBe('slow-1');
    // For over two idle periods the other worker polls (and runs XAUTOCLAIM): it must get nothing.
    const until = Date.now() + 1500;
    while (Date.now() < until) expect(await other.pull(10, signal)).toEqual([]);
    // The busy worker dies without acking: now the entry ages and is claimed.
    await busy.close();
    let claimed: { id: string }[] = [];
    const deadline = Date.now() + 5000;
    while (claimed.length === 0 && Date.now() < deadline) claimed = (await other.pull(10, signal)) ?? [];
    expect(claimed.map((d) => d.id)).toEqual(['slow-1']);
    await other.ack(claimed[0] as never);
    await other.close();
    expect(((await redis.xpending(stream, 'g')) as [number])[0]).toBe(0);
  });

  it("claims a dead consumer's pending entries after the idle time, and leaves nothing pending", async () => {
    const stream = fresh();
    const pub = await redisPublisher(url, stream);
    for (let i = 0; i < 6; i++) await pub.publish(`e${i}`, { n: i });
    await pub.close();

    // A worker that pulls and dies before acking.
    const dead = await redisStreamSource<{ n: number }>({ url, stream, group: 'g', consumerName: 'dead', blockMs: 50 });
    const taken = await dead.pull(4, new AbortController().signal);
    expect(taken?.map((d) => d.id)).toEqual(['e0', 'e1', 'e2', 'e3']);
    await dead.close();

    const live = await redisStreamSource<{ n: number }>({ url, stream, group: 'g', consumerName: 'live', blockMs: 50, claimIdleMs: 150 });
    const store = new FakeEventStore();
    const c = consume(live, (p: { n: number }) => p.n * 10, { consumer: 'g', store, logger: createLogger({ level: 'silent' }) });
    const until = Date.now() + 10_000;
    while (store.decisions.size < 6 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const stats = await c.stop();
    await live.close();
    expect([...store.decisions.values()].map((d) => d.eventId).sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    expect(stats.decided).toBe(6);
    expect(((await redis.xpending(stream, 'g')) as [number])[0]).toBe(0);
  });
});
