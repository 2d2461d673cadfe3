// A streamed run to the places streams go: Node's http, a fetch handler, the AI SDK's useChat.
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { Agent } from 'agent-patterns';
import { stream, toSSE, toUIMessageStreamResponse } from 'agent-patterns/stream';
import { scripted } from 'agent-patterns/testing';

const agent = new Agent({ name: 'support', instructions: 'Answer briefly.', model: scripted(['Order 1042 has shipped with DHL.']) });

// Node's http: server-sent events. The body is pulled, so a slow client slows the run down (backpressure);
// a client that goes away ends the pipeline, which cancels the stream, which aborts the run.
export const server = createServer(async (req, res) => {
  const response = toSSE(stream(agent, 'Where is order 1042?'));
  res.writeHead(response.status, Object.fromEntries(response.headers));
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream), res).catch(() => undefined);
});

// A fetch handler (Hono, Next.js route handlers, Bun, Deno): the AI SDK's UI message stream, so an
// existing `useChat` front end shows the run unchanged. The request's signal cancels the run.
export async function POST(request: Request): Promise<Response> {
  const { messages } = (await request.json()) as { messages: { role: string; parts: { type: string; text?: string }[] }[] };
  const question = messages.at(-1)?.parts.map((p) => p.text ?? '').join('') ?? '';
  return toUIMessageStreamResponse(stream(agent, question, { signal: request.signal }));
}

// Cancellation: `break` (or `s.cancel()`) aborts the model request and fires running tools' signals;
// `s.result` then rejects with RunAborted.
export async function firstWords(): Promise<string> {
  const s = stream(agent, 'Where is order 1042?');
  let text = '';
  for await (const e of s) {
    if (e.type === 'text-delta') text += e.delta;
    if (text.length > 10) break;
  }
  await s.result.catch(() => undefined); // RunAborted
  return text;
}
