/**
 * An HTTP webhook as an EventSource. Each POST carries one JSON event, signed
 * by the sender with a shared secret, in either of two schemes:
 * - ours: `x-timestamp` (unix seconds) and `x-signature: sha256=<hex>`,
 *   HMAC-SHA256 over `${timestamp}.` followed by the body's raw bytes;
 * - Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp`
 *   and `webhook-signature: v1,<base64> ...`, HMAC-SHA256 over
 *   `${id}.${timestamp}.` + body, keyed by the base64 of a `whsec_...` secret.
 *
 * Cheap to attack: the signature headers and the timestamp are checked before
 * any of the body is read (401 at once, connection closed); the body is read
 * only up to `maxBodyBytes` (413), within `bodyTimeoutMs` (408), and by at most
 * `maxPendingBodies` requests at once (503 beyond, without reading); headers
 * must arrive within `headersTimeoutMs` (408) and fit `maxHeaderBytes` (431).
 * The signature is verified over the raw bytes, never over decoded text.
 * Then: 400 malformed JSON or a payload failing the schema, naming the field;
 * 202 once the event is stored in the inbox (`store`), or handed to `accept`.
 * After stopAccepting() (a worker shutting down) every POST gets 503 with
 * Retry-After: what was accepted stays in the durable inbox for the next worker.
 *
 * A replay inside the window of an already accepted event is harmless: the
 * consumer decides each event id once.
 *
 * Not exported from the package's core entry (it loads node:http): import it
 * from `agent-patterns/events/webhook`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import { inboxSource, type InboxSource, type InboxStore } from './inbox.js';
import { memorySource } from './memory.js';
import type { EventSource } from './source.js';

export const SIGNATURE_HEADER = 'x-signature';
export const TIMESTAMP_HEADER = 'x-timestamp';
/** The Standard Webhooks headers. */
export const STANDARD_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

/** The default payload: any JSON object with a non-empty string `id`. */
export const DEFAULT_WEBHOOK_SCHEMA = z.looseObject({ id: z.string().min(1) });

export interface WebhookOptions<T> {
  /** The shared secret (from the environment or a secret manager; never logged). A `whsec_` secret also serves Standard Webhooks. */
  secret: string;
  host?: string;
  /** 0 (default) picks a free port; see `url`. */
  port?: number;
  /** The path events are POSTed to (default "/events"). */
  path?: string;
  /** Validates the payload (default: an object with a string `id`). */
  schema?: z.ZodType<T>;
  /** The event id of a payload (default: its `id`). */
  idOf?: (payload: T) => string;
  /**
   * The store holding the durable inbox: an event is answered 202 only once it is stored there, and this source
   * hands out what the inbox holds (also what an earlier worker left). Required unless `accept` is given.
   */
  store?: InboxStore;
  /** The inbox's name in the store (default "webhook"), and this worker's owner name (default host-pid-random). */
  inbox?: string;
  owner?: string;
  /** Largest accepted body (default 256 KiB). */
  maxBodyBytes?: number;
  /** Largest request head (default 16 KiB): 431 beyond. */
  maxHeaderBytes?: number;
  /** Time to receive the request head (default 10 s): 408 beyond. */
  headersTimeoutMs?: number;
  /** Time to receive the body once the head is in (default 10 s): 408 beyond. */
  bodyTimeoutMs?: number;
  /** Bodies being read (not yet authenticated) at once (default 64): 503 beyond, without reading. */
  maxPendingBodies?: number;
  /** How far the timestamp may be from now, in seconds (default 300). */
  toleranceSec?: number;
  /** Seconds a refused sender is told to wait (Retry-After of a 503; default 5). */
  retryAfterSec?: number;
  /**
   * Where an accepted event goes instead of the inbox (e.g. a Redis stream through `redisPublisher`); the 202 is
   * sent after it resolves, so it must be durable. This source then hands out nothing itself.
   */
  accept?: (id: string, payload: T) => Promise<void>;
}

export interface WebhookSource<T> extends EventSource<T> {
  /** The listening URL of the event path, e.g. http://127.0.0.1:8080/events. */
  readonly url: string;
  readonly server: Server;
  /** Bodies being read right now (never above maxPendingBodies). */
  readonly pendingBodies: number;
  stopAccepting(): void;
  /** Accepted events still in the inbox (0 with `accept`). */
  remaining(): Promise<number>;
  close(): Promise<void>;
}

/** The signature header value for a body sent at `timestamp` (unix seconds): for senders and tests. */
export function signWebhook(secret: string, timestamp: number | string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** Constant-time check of a signature header value over the body's raw bytes. */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string | Uint8Array, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(header.slice(7), 'hex'));
}

/** Constant-time check of a Standard Webhooks `webhook-signature` value (one or more `v1,<base64>`). */
export function verifyStandardWebhook(secret: string, id: string, timestamp: string, body: string | Uint8Array, header: string | undefined): boolean {
  if (!header) return false;
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
  let ok = false;
  for (const part of header.split(' ')) {
    const [version, sig] = part.split(',');
    if (version !== 'v1' || !sig) continue;
    const given = Buffer.from(sig, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
  }
  return ok;
}

/** What the request head says about its signature; checked before any of the body is read. */
type SignedHead =
  | { scheme: 'ours'; timestamp: string; signature: string }
  | { scheme: 'standard'; id: string; timestamp: string; signature: string };

function signedHead(req: IncomingMessage): SignedHead | string {
  const swSignature = header(req, STANDARD_HEADERS.signature);
  if (swSignature !== undefined) {
    const id = header(req, STANDARD_HEADERS.id);
    const timestamp = header(req, STANDARD_HEADERS.timestamp);
    if (!id || id.length > 256) return `missing or malformed ${STANDARD_HEADERS.id} header`;
    if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return `missing or malformed ${STANDARD_HEADERS.timestamp} header`;
    if (!/^(v\d+,[A-Za-z0-9+/=]+)( v\d+,[A-Za-z0-9+/=]+)*$/.test(swSignature)) return `malformed ${STANDARD_HEADERS.signature} header`;
    return { scheme: 'standard', id, timestamp, signature: swSignature };
  }
  const timestamp = header(req, TIMESTAMP_HEADER);
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return `missing or malformed ${TIMESTAMP_HEADER} header`;
  const signature = header(req, SIGNATURE_HEADER);
  if (!signature || !/^sha256=[0-9a-f]{64}$/i.test(signature)) return `missing or malformed ${SIGNATURE_HEADER} header`;
  return { scheme: 'ours', timestamp, signature };
}

export async function webhookSource<T = z.infer<typeof DEFAULT_WEBHOOK_SCHEMA>>(options: WebhookOptions<T>): Promise<WebhookSource<T>> {
  if (!options.secret) throw new ConfigError('webhook.secret', 'is required (the HMAC key shared with the sender)');
  if (!options.store && !options.accept) {
    throw new ConfigError('webhook.store', 'is required: an event is answered 202 only once it is stored (or give `accept`, a durable hand-off)');
  }
  registerSecret(options.secret);
  const maxBody = options.maxBodyBytes ?? 256 * 1024;
  const tolerance = options.toleranceSec ?? 300;
  const path = options.path ?? '/events';
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000;
  const maxPendingBodies = options.maxPendingBodies ?? 64;
  const retryAfter = String(options.retryAfterSec ?? 5);
  const schema = (options.schema ?? DEFAULT_WEBHOOK_SCHEMA) as z.ZodType<T>;
  const idOf = options.idOf ?? ((p: T) => (p as { id: string }).id);

  let inbox: InboxSource<T> | undefined;
  let queue: EventSource<T>;
  let accept: (id: string, payload: T) => Promise<unknown>;
  if (options.accept) {
    // Accepted events go elsewhere (e.g. a Redis stream another source reads): nothing to hand out here.
    queue = memorySource<T>({ name: 'webhook' });
    accept = options.accept;
  } else {
    inbox = await inboxSource<T>({ store: options.store!, inbox: options.inbox ?? 'webhook', ...(options.owner ? { owner: options.owner } : {}) });
    queue = inbox;
    accept = (id, payload) => inbox!.put(id, payload);
  }
  let accepting = true;
  let pendingBodies = 0;

  const server = createServer({ maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024, headersTimeout: headersTimeoutMs, requestTimeout: 0 }, (req, res) => {
    handleRequest(req, res).catch((err) => reply(res, 500, { error: errorMessage(err) }));
  });
  // Node checks head timeouts on this interval (30 s by default), which would let a slow head live that long.
  (server as Server & { connectionsCheckingInterval?: number }).connectionsCheckingInterval = Math.max(50, Math.min(1000, headersTimeoutMs / 4));
  server.on('clientError', answerClientError);

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== path) {
      return refuse(req, res, req.method === 'POST' ? 404 : 405, { error: `POST JSON events to ${path}` });
    }
    if (!accepting) {
      res.setHeader('retry-after', retryAfter);
      return refuse(req, res, 503, { error: 'shutting down: not accepting events; retry later' });
    }
    // Everything that can be checked from the head is checked before one byte of the body is read.
    const head = signedHead(req);
    if (typeof head === 'string') return refuse(req, res, 401, { error: head });
    if (Math.abs(Date.now() / 1000 - Number(head.timestamp)) > tolerance) {
      return refuse(req, res, 401, { error: `timestamp outside the replay window of ${tolerance} s` });
    }
    const declared = Number(req.headers['content-length']);
    if (declared > maxBody) return refuse(req, res, 413, { error: 'body too large' });
    if (pendingBodies >= maxPendingBodies) {
      res.setHeader('retry-after', '1');
      return refuse(req, res, 503, { error: 'too many requests in progress; retry later' });
    }

    pendingBodies++;
    let body: Buffer | 'too large' | 'too slow';
    try {
      body = await readBody(req, maxBody, bodyTimeoutMs);
    } finally {
      pendingBodies--;
    }
    if (body === 'too large') return refuse(req, res, 413, { error: 'body too large' });
    if (body === 'too slow') return refuse(req, res, 408, { error: `body not received within ${bodyTimeoutMs} ms` });

    const valid = head.scheme === 'ours'
      ? verifyWebhookSignature(options.secret, head.timestamp, body, head.signature)
      : verifyStandardWebhook(options.secret, head.id, head.timestamp, body, head.signature);
    if (!valid) return reply(res, 401, { error: 'bad signature' });

    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return reply(res, 400, { error: 'body is not valid JSON', field: '(body)' });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length ? issue.path.join('.') : '(root)';
      return reply(res, 400, { error: `invalid payload: ${field}: ${issue.message}`, field });
    }
    const id = idOf(parsed.data);
    try {
      await accept(id, parsed.data);
    } catch (err) {
      res.setHeader('retry-after', retryAfter);
      return reply(res, 503, { error: `not accepted: ${errorMessage(err)}` });
    }
    reply(res, 202, { accepted: id });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as { address: string; port: number };
  const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;

  return {
    name: 'webhook',
    url: `http://${host}:${addr.port}${path}`,
    server,
    get pendingBodies() {
      return pendingBodies;
    },
    pull: (max, signal) => queue.pull(max, signal),
    ack: (d) => queue.ack(d),
    nack: (d) => queue.nack(d),
    stopAccepting() {
      accepting = false;
    },
    remaining: async () => (inbox ? inbox.remaining() : 0),
    async close() {
      accepting = false;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await queue.close?.();
      if (!inbox) (queue as ReturnType<typeof memorySource<T>>).end();
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The body's raw bytes; stops reading past `max` bytes or after `timeoutMs`. */
function readBody(req: IncomingMessage, max: number, timeoutMs: number): Promise<Buffer | 'too large' | 'too slow'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: Buffer | 'too large' | 'too slow') => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (typeof result === 'string') req.pause();
      resolve(result);
    };
    const timer = setTimeout(() => finish('too slow'), timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) return finish('too large');
      chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks));
    const onError = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Answers without keeping (the rest of) the body: what still arrives is discarded, not buffered, for at most
 * DISCARD_MS (so a sender still writing reads the answer instead of a reset), then the connection is closed.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  res.setHeader('connection', 'close');
  reply(res, status, body);
  req.resume();
  const socket = req.socket;
  const timer = setTimeout(() => socket.destroy(), DISCARD_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

const DISCARD_MS = 1000;

/**
 * Errors in the request head, before any handler runs: a head over maxHeaderBytes gets 431 and a slow head 408,
 * as HTTP says, instead of a reset. The answer is written, the rest of the input discarded for a moment (so the
 * sender, still writing, reads the answer instead of a reset), then the connection closed.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout'
    : '400 Bad Request';
  if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  socket.resume();
  setTimeout(() => socket.destroy(), DISCARD_MS).unref();
}

function reply(res: ServerResponse, status: number, body: unknown, then?: () => void): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text, then);
}
