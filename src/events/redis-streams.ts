/**
 * Redis Streams as an EventSource: one stream, one consumer group, any number
 * of workers on any number of machines. Redis does the distribution work: each
 * entry goes to one consumer of the group and stays in that consumer's
 * pending-entry list until XACK. Entries a dead worker left pending are taken
 * over by the live ones with XAUTOCLAIM once idle for `claimIdleMs`.
 *
 * Entry layout (what `redisPublisher` writes): fields `id` (the event id, the
 * idempotency key) and `data` (the payload as JSON). Without an `id` field
 * the entry id stands in.
 *
 * ioredis is loaded only when a Redis source or publisher is created.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConfigError } from '../core/errors.js';
import { registerUrlPassword } from '../core/secrets.js';
import type { Delivery, EventSource } from './source.js';

export interface RedisStreamOptions {
  /** redis://[user:pass@]host:port — the server only; the stream is named by `stream`. */
  url: string;
  stream: string;
  /** The consumer group: every worker of one logical consumer uses the same group. */
  group: string;
  /** This worker's name in the group (default: host-pid-random, unique per process). */
  consumerName?: string;
  /** How long one XREADGROUP waits for new entries (default 1000 ms); stop() may wait this long. */
  blockMs?: number;
  /**
   * Pending entries idle this long belong to a dead worker and are claimed (default 30 s). A live worker
   * keeps its in-flight entries fresh with a heartbeat, so slow events are not claimed away from it.
   */
  claimIdleMs?: number;
  /** How often to look for such entries (default: claimIdleMs / 2). */
  claimIntervalMs?: number;
  /** Where a newly created group starts: "0" = the whole stream (default), "$" = only new entries. */
  startId?: string;
}

export interface RedisDelivery<T> extends Delivery<T> {
  /** The stream entry id (what XACK takes). */
  readonly entryId: string;
}

export interface RedisStreamSource<T> extends EventSource<T> {
  readonly consumerName: string;
  close(): Promise<void>;
}

type StreamEntry = [id: string, fields: string[] | null];

/** Splits `redis://host:port/stream` into the server URL and the stream name. */
export function parseRedisStreamUrl(url: string, field = 'source'): { url: string; stream: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(field, `not a URL: ${JSON.stringify(url)} (expected redis://host:port/stream)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new ConfigError(field, `expected redis://host:port/stream, got ${u.protocol}`);
  const stream = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!stream) throw new ConfigError(field, 'names no stream (expected redis://host:port/stream)');
  u.pathname = '';
  return { url: u.toString().replace(/\/$/, ''), stream };
}

export async function connectRedis(url: string, options: { autoPipelining?: boolean } = {}): Promise<Redis> {
  const { Redis } = await import('ioredis');
  registerUrlPassword(url);
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null, enableAutoPipelining: options.autoPipelining ?? false });
  await client.connect();
  return client;
}

export async function redisStreamSource<T = unknown>(options: RedisStreamOptions): Promise<RedisStreamSource<T>> {
  if (!options.stream) throw new ConfigError('redis.stream', 'is required');
  if (!options.group) throw new ConfigError('redis.group', 'is required');
  const { stream, group } = options;
  const consumerName = options.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const blockMs = options.blockMs ?? 1000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const claimIntervalMs = options.claimIntervalMs ?? Math.max(100, Math.floor(claimIdleMs / 2));

  // Blocking reads get their own connection, so acks and claims never wait behind them.
  const reader = await connectRedis(options.url);
  const cmd = await connectRedis(options.url, { autoPipelining: true });
  try {
    await cmd.call('XGROUP', 'CREATE', stream, group, options.startId ?? '0', 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).includes('BUSYGROUP')) {
      reader.disconnect();
      cmd.disconnect();
      throw err;
    }
  }

  /** Our own pending entries (a restart under the same name) are read first, then only new ones. */
  let ownPendingDone = false;
  let ownCursor = '0';
  let claimCursor = '0-0';
  let nextClaimAt = 0;
  /** Nacked deliveries: still pending in Redis under our name; handed out again before anything new. */
  const retry: RedisDelivery<T>[] = [];
  /**
   * Entries we hold (delivered, not acked). A heartbeat re-claims them to
   * ourselves (XCLAIM … JUSTID resets their idle time), so a live worker with a
   * slow event is not mistaken for a dead one; a dead worker's entries age.
   */
  const held = new Set<string>();
  const heartbeat = setInterval(() => {
    if (held.size === 0) return;
    cmd.call('XCLAIM', stream, group, consumerName, 0, ...held, 'JUSTID').catch(() => {});
  }, Math.max(50, Math.floor(claimIdleMs / 3)));
  heartbeat.unref();

  const toDeliveries = (entries: StreamEntry[], toAck: string[], deliveries?: number): RedisDelivery<T>[] => {
    const out: RedisDelivery<T>[] = [];
    for (const [entryId, fields] of entries) {
      if (!fields) {
        toAck.push(entryId); // deleted from the stream while pending: nothing to handle
        continue;
      }
      let id: string | undefined;
      let data: string | undefined;
      for (let i = 0; i + 1 < fields.length; i += 2) {
        if (fields[i] === 'id') id = fields[i + 1];
        else if (fields[i] === 'data') data = fields[i + 1];
      }
      held.add(entryId);
      out.push({ id: id ?? entryId, entryId, payload: parsePayload(data) as T, ...(deliveries ? { deliveries } : {}) });
    }
    return out;
  };

  async function readGroup(conn: Redis, max: number, from: string, block: boolean): Promise<StreamEntry[]> {
    const args: (string | number)[] = ['GROUP', group, consumerName, 'COUNT', max];
    if (block) args.push('BLOCK', blockMs);
    args.push('STREAMS', stream, from);
    return entriesOf(await conn.call('XREADGROUP', ...args));
  }

  async function claim(max: number): Promise<RedisDelivery<T>[]> {
    const res = (await cmd.call('XAUTOCLAIM', stream, group, consumerName, claimIdleMs, claimCursor, 'COUNT', max)) as [string, StreamEntry[], string[]?];
    claimCursor = res[0];
    if (claimCursor === '0-0') nextClaimAt = Date.now() + claimIntervalMs; // a full pass done
    const toAck: string[] = [];
    const out = toDeliveries(res[1], toAck, 2);
    if (toAck.length) await cmd.call('XACK', stream, group, ...toAck);
    return out;
  }

  return {
    name: `redis:${stream}`,
    consumerName,
    async pull(max, signal) {
      if (retry.length) return retry.splice(0, max);
      const toAck: string[] = [];
      if (!ownPendingDone) {
        const entries = await readGroup(cmd, max, ownCursor, false);
        if (entries.length) ownCursor = entries[entries.length - 1]![0];
        const own = toDeliveries(entries, toAck);
        if (toAck.length) await cmd.call('XACK', stream, group, ...toAck);
        if (own.length) return own;
        if (entries.length) return [];
        ownPendingDone = true;
      }
      if (Date.now() >= nextClaimAt) {
        const claimed = await claim(max);
        if (claimed.length) return claimed;
      }
      if (signal.aborted) return [];
      const fresh = toDeliveries(await readGroup(reader, max, '>', true), toAck);
      if (toAck.length) await cmd.call('XACK', stream, group, ...toAck);
      return fresh;
    },
    async ack(d) {
      const entryId = (d as RedisDelivery<T>).entryId;
      await cmd.call('XACK', stream, group, entryId);
      held.delete(entryId);
    },
    async nack(d) {
      retry.push(d as RedisDelivery<T>);
    },
    async close() {
      clearInterval(heartbeat);
      reader.disconnect();
      await cmd.quit().catch(() => cmd.disconnect());
    },
  };
}

/**
 * The entries of a one-stream XREADGROUP reply. RESP2 nests [[stream, entries]];
 * ioredis 6 (RESP3) flattens the map into [stream, entries].
 */
function entriesOf(res: unknown): StreamEntry[] {
  if (!Array.isArray(res) || res.length === 0) return [];
  const first = res[0] as unknown;
  if (Array.isArray(first)) return ((first as unknown[])[1] as StreamEntry[] | undefined) ?? [];
  return (res[1] as StreamEntry[] | undefined) ?? [];
}

function parsePayload(data: string | undefined): unknown {
  if (data === undefined) return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return data; // the handler's validation turns it into a dead letter
  }
}

export interface RedisPublisher {
  readonly stream: string;
  /** Appends one event; resolves with the stream entry id. */
  publish(id: string, payload: unknown): Promise<string>;
  /** Appends many in pipelined batches; resolves with how many were written. */
  publishMany(events: Iterable<{ id: string; payload: unknown }>, batchSize?: number): Promise<number>;
  close(): Promise<void>;
}

/** Writes events (or decisions) to a stream in the layout redisStreamSource reads. */
export async function redisPublisher(url: string, stream: string, options: { maxLen?: number } = {}): Promise<RedisPublisher> {
  const conn = await connectRedis(url, { autoPipelining: true });
  const trim = options.maxLen ? ['MAXLEN', '~', String(options.maxLen)] : [];
  return {
    stream,
    async publish(id, payload) {
      return (await conn.call('XADD', stream, ...trim, '*', 'id', id, 'data', JSON.stringify(payload))) as string;
    },
    async publishMany(events, batchSize = 500) {
      let n = 0;
      let pipe = conn.pipeline();
      let inPipe = 0;
      for (const e of events) {
        pipe.call('XADD', stream, ...trim, '*', 'id', e.id, 'data', JSON.stringify(e.payload));
        inPipe++;
        if (inPipe === batchSize) {
          await execOrThrow(pipe);
          n += inPipe;
          pipe = conn.pipeline();
          inPipe = 0;
        }
      }
      if (inPipe) await execOrThrow(pipe);
      return n + inPipe;
    },
    async close() {
      await conn.quit().catch(() => conn.disconnect());
    },
  };
}

async function execOrThrow(pipe: ReturnType<Redis['pipeline']>): Promise<void> {
  const results = (await pipe.exec()) ?? [];
  for (const [err] of results) if (err) throw err;
}
