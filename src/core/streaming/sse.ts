/**
 * A RunStream as server-sent events, on web standards only (ReadableStream,
 * Response), so it plugs into Node's http (through `Readable.fromWeb`), Hono,
 * Next.js route handlers and any fetch-style server. Each event is one
 * `event: <type>` / `data: <json>` frame; the body is pulled, so a slow client
 * slows the run down, and a client that goes away cancels it.
 */
import type { RunEvent } from './events.js';
import type { RunStream } from './stream.js';

const encoder = new TextEncoder();

/** The frames as bytes. */
export function toSSEStream(stream: RunStream<unknown>): ReadableStream<Uint8Array> {
  const events = stream[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await events.next();
      if (next.done) return controller.close();
      controller.enqueue(encoder.encode(sseFrame(next.value)));
    },
    cancel(reason) {
      stream.cancel(reason ?? 'the client went away');
      void events.return?.();
    },
  });
}

/** A `Response` of server-sent events (status 200, `text/event-stream`, no caching). */
export function toSSE(stream: RunStream<unknown>, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'text/event-stream; charset=utf-8');
  headers.set('cache-control', 'no-cache');
  headers.set('x-accel-buffering', 'no');
  return new Response(toSSEStream(stream), { ...init, headers });
}

/** One server-sent event frame of a RunEvent: `event: <type>`, `data: <json>`, a blank line. */
export function sseFrame(event: RunEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
