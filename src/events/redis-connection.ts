/**
 * Connections to Redis that fail the way an operator can act on:
 * - the first connect is bounded (`connectTimeoutMs`) and a failure is one
 *   typed error naming the server (never the password), with nothing left
 *   retrying in the background;
 * - afterwards ioredis reconnects on its own; every connection error is
 *   listened to (no "[ioredis] Unhandled error event"), and the state is
 *   logged once per change: lost (with the reason), then restored;
 * - commands fail fast while disconnected instead of queueing forever, so a
 *   caller can tell an outage from a slow server.
 *
 * ioredis is loaded only when a connection is made.
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../core/errors.js';
import { defaultLogger, type Logger } from '../core/logger.js';
import { registerUrlPassword } from '../core/secrets.js';
import { SourceUnavailable } from './source.js';

export interface RedisConnectOptions {
  autoPipelining?: boolean;
  /** Longest wait for the first connection (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Where state changes (lost, restored) are logged, unless `onState` takes them (one log for several connections). */
  logger?: Logger;
  /** Called on each change of state: false when the connection is lost (with the last error), true when it is back. */
  onState?: (up: boolean, reason?: string) => void;
}

/** `host:port` of a redis:// URL, for messages (the URL may carry a password). */
export function redisServerName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return 'the Redis server';
  }
}

export async function connectRedis(url: string, options: RedisConnectOptions = {}): Promise<Redis> {
  const { Redis } = await import('ioredis');
  registerUrlPassword(url);
  const server = redisServerName(url);
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    // A command sent while disconnected fails after one reconnect attempt instead of waiting for ever.
    maxRetriesPerRequest: 1,
    enableAutoPipelining: options.autoPipelining ?? false,
  });
  let lastError: Error | undefined;
  let up = false;
  let log: Logger | undefined;
  const logger = () => (log ??= (options.logger ?? defaultLogger()).child({ redis: server }));
  const onState = options.onState ?? logState(logger);
  client.on('error', (err: Error) => {
    lastError = err;
  });
  // ioredis bounds the TCP connect only; a server that accepts and never answers would hold connect() for ever.
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs);
  });
  try {
    await Promise.race([client.connect(), timedOut]);
  } catch (err) {
    client.disconnect();
    const reason = lastError ? errorMessage(lastError) : errorMessage(err);
    throw new SourceUnavailable(`cannot reach Redis at ${server}: ${reason}`, { cause: lastError ?? err });
  } finally {
    clearTimeout(timer);
  }
  up = true;
  client.on('close', () => {
    if (!up) return;
    up = false;
    onState(false, lastError ? errorMessage(lastError) : 'connection closed');
  });
  client.on('ready', () => {
    if (up) return;
    up = true;
    onState(true);
  });
  return client;
}

/** Logs an outage once when it starts and once when it ends, however many reconnect attempts lie between. */
export function logState(logger: () => Logger): (up: boolean, reason?: string) => void {
  let downSince = 0;
  return (up, reason) => {
    if (!up) {
      downSince = Date.now();
      logger().warn({ err: reason }, 'Redis connection lost; reconnecting');
    } else {
      logger().warn({ downMs: Date.now() - downSince }, 'Redis connection restored');
    }
  };
}

/** Closes a connection: politely if it is up, at once otherwise. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}
