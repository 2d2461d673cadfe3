/**
 * An HTTP webhook as an EventSource. Each POST carries one JSON event, signed
 * by the sender with a shared secret: header `x-signature: sha256=<hex>` is
 * HMAC-SHA256 over `${timestamp}.${body}`, header `x-timestamp` is unix
 * seconds. Answers: 401 bad or missing signature, or a timestamp outside the
 * replay window; 413 body over the limit (reading stops); 400 malformed JSON
 * or a payload failing the schema, naming the field; 202 once the event is
 * accepted (handed to `accept`, by default this source's queue).
 *
 * A replay inside the window of an already accepted event is harmless: the
 * consumer decides each event id once.
 *
 * Not exported from the package's core entry (it loads node:http): import it
 * from `agent-patterns/events/webhook`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import { memorySource } from './memory.js';
import type { EventSource } from './source.js';

export const SIGNATURE_HEADER = 'x-signature';
export const TIMESTAMP_HEADER = 'x-timestamp';

/** The default payload: any JSON object with a non-empty string `id`. */
export const DEFAULT_WEBHOOK_SCHEMA = z.looseObject({ id: z.string().min(1) });

export interface WebhookOptions<T> {
  /** The shared secret (from the environment or a secret manager; never logged). */
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
  /** Largest accepted body (default 256 KiB). */
  maxBodyBytes?: number;
  /** How far the timestamp may be from now, in seconds (default 300). */
  toleranceSec?: number;
  /**
   * Where an accepted event goes; the 202 is sent after it resolves. Default:
   * this source's in-process queue. Give a durable one (e.g. a Redis stream
   * through `redisPublisher`) when an accepted event must survive a crash.
   */
  accept?: (id: string, payload: T) => Promise<void>;
}

export interface WebhookSource<T> extends EventSource<T> {
  /** The listening URL of the event path, e.g. http://127.0.0.1:8080/events. */
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** The signature header value for a body sent at `timestamp` (unix seconds): for senders and tests. */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Constant-time check of a signature header value. */
export function verifyWebhookSignature(secret: string, timestamp: string, body: string, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(header.slice(7), 'hex'));
}

export async function webhookSource<T = z.infer<typeof DEFAULT_WEBHOOK_SCHEMA>>(options: WebhookOptions<T>): Promise<WebhookSource<T>> {
  if (!options.secret) throw new ConfigError('webhook.secret', 'is required (the HMAC key shared with the sender)');
  registerSecret(options.secret);
  const maxBody = options.maxBodyBytes ?? 256 * 1024;
  const tolerance = options.toleranceSec ?? 300;
  const path = options.path ?? '/events';
  const schema = (options.schema ?? DEFAULT_WEBHOOK_SCHEMA) as z.ZodType<T>;
  const idOf = options.idOf ?? ((p: T) => (p as { id: string }).id);
  const queue = memorySource<T>({ name: 'webhook' });
  const accept = options.accept ?? (async (id: string, payload: T) => queue.push(id, payload));

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((err) => reply(res, 500, { error: errorMessage(err) }));
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== path) {
      req.resume();
      return reply(res, req.method === 'POST' ? 404 : 405, { error: `POST JSON events to ${path}` });
    }
    const declared = Number(req.headers['content-length']);
    if (declared > maxBody) return tooLarge(req, res);
    const body = await readBody(req, maxBody);
    if (body === undefined) return tooLarge(req, res);

    const timestamp = header(req, TIMESTAMP_HEADER);
    if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return reply(res, 401, { error: `missing or malformed ${TIMESTAMP_HEADER} header` });
    if (!verifyWebhookSignature(options.secret, timestamp, body, header(req, SIGNATURE_HEADER))) {
      return reply(res, 401, { error: 'bad signature' });
    }
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > tolerance) {
      return reply(res, 401, { error: `timestamp outside the replay window of ${tolerance} s` });
    }

    let json: unknown;
    try {
      json = JSON.parse(body);
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
    pull: (max, signal) => queue.pull(max, signal),
    ack: (d) => queue.ack(d),
    nack: (d) => queue.nack(d),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      queue.end();
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The body as text, or undefined as soon as it passes `max` bytes (the rest is not read). */
function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  // Answer, then drop the connection instead of draining a body we refuse.
  res.setHeader('connection', 'close');
  reply(res, 413, { error: 'body too large' }, () => req.socket.destroy());
}

function reply(res: ServerResponse, status: number, body: unknown, then?: () => void): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text, then);
}
