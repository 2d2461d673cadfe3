/**
 * A loopback HTTP server for provider tests. Each request is recorded (path,
 * headers, parsed JSON body, arrival time) and answered by the test's
 * handler: a JSON body with any status and headers, an SSE stream, or a hang
 * (the connection stays open and silent, as a stuck upstream would).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface WireRequest {
  /** 0-based arrival order. */
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  /** performance.now() at arrival. */
  at: number;
  /** Set when the client closed the connection before the reply was complete (an aborted request). */
  clientAborted?: boolean;
}

export interface SseEvent {
  /** The `event:` line (Anthropic and OpenAI Responses send one; Chat Completions does not). */
  event?: string;
  /** JSON-encoded unless already a string. */
  data: unknown;
}

export type WireReply =
  | { status?: number; headers?: Record<string, string>; json: unknown }
  | {
      status?: number;
      headers?: Record<string, string>;
      sse: SseEvent[];
      /** Send this many events, then go silent with the connection open. */
      hangAfter?: number;
    }
  | { hang: true };

export type WireHandler = (req: WireRequest) => WireReply | Promise<WireReply>;

export interface WireServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  requests: WireRequest[];
  close(): Promise<void>;
}

export async function startWireServer(handler: WireHandler): Promise<WireServer> {
  const requests: WireRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        /* keep the raw text */
      }
      const record: WireRequest = {
        index: requests.length,
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        at: performance.now(),
      };
      requests.push(record);
      res.on('close', () => {
        if (!res.writableEnded) record.clientAborted = true;
      });
      Promise.resolve(handler(record)).then(
        (reply) => send(res, reply),
        (err: unknown) => send(res, { status: 599, json: { error: { message: `test handler failed: ${String(err)}` } } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * One server per test: call at module (or describe) level, then `await serve(handler)`
 * inside a test; the server is closed after the test (closing it earlier is fine).
 */
export function wireServerPerTest(): (handler: WireHandler) => Promise<WireServer> {
  let server: WireServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return async (handler) => (server = await startWireServer(handler));
}

/** Replies in order, one per request; a request past the list fails the test loudly. */
export function inOrder(...replies: (WireReply | ((req: WireRequest) => WireReply))[]): WireHandler {
  return (req) => {
    const r = replies[req.index];
    if (!r) return { status: 599, json: { error: { message: `unexpected request #${req.index + 1}` } } };
    return typeof r === 'function' ? r(req) : r;
  };
}

function send(res: ServerResponse, reply: WireReply): void {
  if ('hang' in reply) return; // never answer; close() destroys the socket
  if ('json' in reply) {
    const body = JSON.stringify(reply.json);
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(body);
    return;
  }
  res.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...reply.headers });
  const events = reply.hangAfter === undefined ? reply.sse : reply.sse.slice(0, reply.hangAfter);
  for (const e of events) {
    const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
    res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${data}\n\n`);
  }
  if (reply.hangAfter === undefined) res.end();
}
