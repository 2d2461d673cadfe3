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
 * Redis coming back empty (a restart without persistence, a failover to an
 * empty replica) loses the stream and its group: on NOGROUP the group is
 * re-created (MKSTREAM, from the start of the new stream) and work goes on.
 * While Redis is unreachable, pull() waits (the outage is logged once, and
 * once more when it ends); past `maxDownMs` it throws SourceUnavailable, so
 * consume() ends and a worker exits non-zero instead of looking alive.
 *
 * ioredis is loaded only when a Redis source or publisher is created.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConfigError, errorMessage } from '../core/errors.js';
import { defaultLogger, type Logger } from '../core/logger.js';
import { closeRedis, connectRedis, logState, redisServerName } from './redis-connection.js';
import { SourceUnavailable, type Delivery, type EventSource } from './source.js';

export { connectRedis } from './redis-connection.js';

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
  /** Longest wait for the first connection (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Unreachable longer than this (default 30 s): pull() throws SourceUnavailable (the worker is unhealthy). */
  maxDownMs?: number;
  /** Where connection state changes and group re-creations are logged. */
  logger?: Logger;
}

export interface RedisDelivery<T> extends Delivery<T> {
  /** The stream entry id (what XACK takes). */
  readonly entryId: string;
}

export interface RedisStreamSource<T> extends EventSource<T> {
  readonly consumerName: string;
  /** False while Redis is unreachable. */
  readonly healthy: boolean;
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

export async function redisStreamSource<T = unknown>(options: RedisStreamOptions): Promise<RedisStreamSource<T>> {
  if (!options.stream) throw new ConfigError('redis.stream', 'is required');
  if (!options.group) throw new ConfigError('redis.group', 'is required');
  const { stream, group } = options;
  const consumerName = options.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const blockMs = options.blockMs ?? 1000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const claimIntervalMs = options.claimIntervalMs ?? Math.max(100, Math.floor(claimIdleMs / 2));
  const maxDownMs = options.maxDownMs ?? 30_000;
  if (!(maxDownMs > 0)) throw new ConfigError('redis.maxDownMs', 'must be > 0');
  const server = redisServerName(options.url);
  const logger = (options.logger ?? defaultLogger()).child({ source: `redis:${stream}` });

  /** Connections down right now, and since when the first went down (the outage's start). */
  const down = new Set<string>();
  let downSince = 0;
  let wakeUp: (() => void) | undefined;
  const log = logState(() => logger);
  // Two connections, one outage: logged when the first goes down and when the last comes back.
  const onState = (conn: string) => (up: boolean, reason?: string) => {
    const wasDown = down.size > 0;
    if (up) down.delete(conn);
    else down.add(conn);
    if (!wasDown && down.size > 0) {
      downSince = Date.now();
      log(false, reason);
    } else if (wasDown && down.size === 0) {
      log(true);
      wakeUp?.();
    }
  };
  const connect = { connectTimeoutMs: options.connectTimeoutMs ?? 5000, logger };
  // Blocking reads get their own connection, so acks and claims never wait behind them.
  const reader = await connectRedis(options.url, { ...connect, onState: onState('reader') });
  let cmd: Redis;
  try {
    cmd = await connectRedis(options.url, { ...connect, autoPipelining: true, onState: onState('cmd') });
  } catch (err) {
    reader.disconnect();
    throw err;
  }
  const createGroup = async (startId: string) => {
    try {
      await cmd.call('XGROUP', 'CREATE', stream, group, startId, 'MKSTREAM');
    } catch (err) {
      if (!errorMessage(err).includes('BUSYGROUP')) throw err;
    }
  };
  try {
    await createGroup(options.startId ?? '0');
  } catch (err) {
    reader.disconnect();
    cmd.disconnect();
    throw err;
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

  /** Resolves once both connections are up (or `signal` fires); throws once the outage is longer than maxDownMs. */
  async function untilUp(signal: AbortSignal): Promise<void> {
    while (down.size > 0 && !signal.aborted) {
      const left = downSince + maxDownMs - Date.now();
      if (left <= 0) throw new SourceUnavailable(`Redis at ${server} unreachable for more than ${maxDownMs} ms; this worker is unhealthy`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wakeUp = undefined;
          resolve();
        };
        const timer = setTimeout(done, left + 1);
        signal.addEventListener('abort', done, { once: true });
        wakeUp = done;
      });
    }
  }

  /** The data is gone (Redis restarted empty, or failed over to an empty replica): start again on the new stream. */
  async function recreateGroup(): Promise<void> {
    logger.warn({ stream, group }, 'consumer group missing (Redis lost its data?); re-creating it');
    await createGroup('0');
    ownPendingDone = false;
    ownCursor = '0';
    claimCursor = '0-0';
    nextClaimAt = 0;
    retry.length = 0;
    held.clear();
  }

  async function pullOnce(max: number, signal: AbortSignal): Promise<RedisDelivery<T>[]> {
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
  }

  return {
    name: `redis:${stream}`,
    consumerName,
    get healthy() {
      return down.size === 0;
    },
    async pull(max, signal) {
      await untilUp(signal);
      try {
        return await pullOnce(max, signal);
      } catch (err) {
        // NOGROUP: the group is gone; UNBLOCKED: the stream vanished under a blocking read (FLUSHALL, a failover).
        if (/^(NOGROUP|UNBLOCKED)/.test(errorMessage(err))) {
          await recreateGroup();
          return [];
        }
        // Not an answer from Redis but a lost connection: the outage is tracked (and logged) by its state.
        if ((err as Error).name !== 'ReplyError') {
          await new Promise((r) => setTimeout(r, 50));
          return [];
        }
        throw err;
      }
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
      await closeRedis(cmd);
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
export async function redisPublisher(
  url: string,
  stream: string,
  options: { maxLen?: number; connectTimeoutMs?: number; logger?: Logger } = {},
): Promise<RedisPublisher> {
  const conn = await connectRedis(url, { autoPipelining: true, ...options });
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
      await closeRedis(conn);
    },
  };
}

async function execOrThrow(pipe: ReturnType<Redis['pipeline']>): Promise<void> {
  const results = (await pipe.exec()) ?? [];
  for (const [err] of results) if (err) throw err;
}
