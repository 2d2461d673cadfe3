/**
 * stream() against the providers' wire formats (each provider really streams), cancellation seen by the
 * server, and the places streams go: the AI SDK's own UI message stream reader, and an SSE reader.
 */
import { readUIMessageStream } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tool } from '../../src/core/tool.js';
import { stream } from '../../src/core/streaming/stream.js';
import { toSSE } from '../../src/core/streaming/sse.js';
import { toUIMessageStream, toUIMessageStreamResponse } from '../../src/core/streaming/ui-message-stream.js';
import type { RunEvent } from '../../src/core/streaming/events.js';
import { AnthropicModel } from '../../src/models/anthropic.js';
import { OpenAIResponsesModel } from '../../src/models/openai.js';
import { OpenAICompatibleModel } from '../../src/models/openai-compatible.js';
import { scripted } from '../../src/models/scripted.js';
import { Agent } from '../../src/patterns/agent.js';
import { parallel } from '../../src/patterns/parallel.js';
import { responseEvents, sseReply } from '../support/wire/openai-responses.js';
import { chatSseReply, chunkEvents } from '../support/wire/chat-completions.js';
import { anthropicSseReply, messageEvents } from '../support/wire/anthropic-messages.js';
import { wireServerPerTest } from '../support/wire/server.js';

const serve = wireServerPerTest();
const TEXT = 'Order 1042 left our warehouse on Monday and is with DHL.';

async function deltas(events: AsyncIterable<RunEvent>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of events) if (e.type === 'text-delta') out.push(e.delta);
  return out;
}

describe('stream() through each provider', () => {
  it('OpenAI Responses: the server streams, the tokens arrive as deltas', async () => {
    const s = await serve((req) => (req.body.stream ? sseReply(responseEvents([{ text: TEXT }], { chunks: 6 })) : { status: 400, json: { error: { message: 'expected stream' } } }));
    const model = new OpenAIResponsesModel('gpt-4o', { baseUrl: `${s.origin}/v1`, apiKey: 'sk-test', retryBaseDelayMs: 1 });
    const run = stream(new Agent({ name: 'a', instructions: 'x', model }), 'where?');
    const parts = await deltas(run);
    expect(parts.length).toBeGreaterThanOrEqual(5);
    expect(parts.join('')).toBe(TEXT);
    expect((await run.result).output.text).toBe(TEXT);
    expect(s.requests[0]!.body.stream).toBe(true);
  });

  it('Chat Completions (vLLM, Ollama): the same', async () => {
    const s = await serve((req) => (req.body.stream ? chatSseReply(chunkEvents({ text: TEXT }, { chunks: 6 })) : { status: 400, json: { error: { message: 'expected stream' } } }));
    const model = new OpenAICompatibleModel('llama3.1', { baseUrl: `${s.origin}/v1`, retryBaseDelayMs: 1 });
    const parts = await deltas(stream(new Agent({ name: 'a', instructions: 'x', model }), 'where?'));
    expect(parts.length).toBeGreaterThanOrEqual(5);
    expect(parts.join('')).toBe(TEXT);
  });

  it('Anthropic Messages: the same', async () => {
    const s = await serve((req) => (req.body.stream ? anthropicSseReply(messageEvents([{ text: TEXT }], { chunks: 6 })) : { status: 400, json: { error: { message: 'expected stream' } } }));
    const model = new AnthropicModel('claude-sonnet-5-5', { baseUrl: s.origin, apiKey: 'sk-ant-test', retryBaseDelayMs: 1 });
    const parts = await deltas(stream(new Agent({ name: 'a', instructions: 'x', model }), 'where?'));
    expect(parts.length).toBeGreaterThanOrEqual(5);
    expect(parts.join('')).toBe(TEXT);
  });

  it('breaking out of the loop aborts the provider request (the server sees the client go away)', async () => {
    const s = await serve(() => sseReply(responseEvents([{ text: TEXT }], { chunks: 8 }), { hangAfter: 6 }));
    const model = new OpenAIResponsesModel('gpt-4o', { baseUrl: `${s.origin}/v1`, apiKey: 'sk-test', retryBaseDelayMs: 1, maxRetries: 0 });
    const run = stream(new Agent({ name: 'a', instructions: 'x', model }), 'where?');
    for await (const e of run) if (e.type === 'text-delta') break;
    await expect(run.result).rejects.toMatchObject({ code: 'RUN_ABORTED' });
    await expect.poll(() => s.requests[0]?.clientAborted).toBe(true);
  });
});

describe('where streams go', () => {
  function triage() {
    const lookup = tool({ name: 'lookup', description: 'Look up.', input: z.object({ id: z.string() }), execute: ({ id }) => ({ id, status: 'shipped' }) });
    const logs = new Agent({ name: 'logs', instructions: 'logs', model: scripted(['The logs show 502s after the deploy.']) });
    const orders = new Agent({ name: 'orders', instructions: 'orders', tools: [lookup], model: scripted([{ toolCalls: [{ name: 'lookup', args: { id: '7' } }] }, 'Order 7 has shipped.']) });
    return parallel({ logs, orders }, { name: 'desk' });
  }

  it('toUIMessageStream: the AI SDK reads it as one assistant message with a text part per agent and a tool part', async () => {
    let last: Awaited<ReturnType<typeof readUIMessageStream> extends AsyncIterable<infer M> ? M : never> | undefined;
    for await (const message of readUIMessageStream({ stream: toUIMessageStream(stream(triage(), 'status?')) as never })) last = message;
    const parts = last!.parts as { type: string; text?: string; toolName?: string; state?: string; input?: unknown; output?: unknown }[];
    const textParts = parts.filter((p) => p.type === 'text').map((p) => p.text).sort();
    expect(textParts).toEqual(['Order 7 has shipped.', 'The logs show 502s after the deploy.']);
    const toolPart = parts.find((p) => p.type === 'dynamic-tool')!;
    expect(toolPart).toMatchObject({ toolName: 'lookup', state: 'output-available', input: { id: '7' }, output: { id: '7', status: 'shipped' } });
    expect(parts.some((p) => p.type === 'data-step')).toBe(false); // transient: shown live, not kept in the message
  });

  it('toUIMessageStreamResponse: the protocol over HTTP (headers, data frames, [DONE])', async () => {
    const res = toUIMessageStreamResponse(stream(triage(), 'status?'));
    expect(res.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    const body = await res.text();
    expect(body.trim().endsWith('data: [DONE]')).toBe(true);
    const frames = body.split('\n\n').filter(Boolean).map((f) => f.replace(/^data: /, ''));
    expect(JSON.parse(frames[0]!)).toMatchObject({ type: 'start' });
    expect(frames.filter((f) => f !== '[DONE]').map((f) => JSON.parse(f).type)).toContain('tool-output-available');
  });

  it('toSSE: a web Response of server-sent events, read back frame by frame', async () => {
    const run = stream(triage(), 'status?');
    const res = toSSE(run);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // An EventSource-style reader: frames split on a blank line, `event:` and `data:` fields.
    const events: { event: string; data: RunEvent }[] = [];
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const fields = Object.fromEntries(frame.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        events.push({ event: fields.event!, data: JSON.parse(fields.data!) as RunEvent });
      }
    }
    expect(events[0]!.event).toBe('run-start');
    expect(events.at(-1)!.event).toBe('run-end');
    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    const byPath = new Map<string, string>();
    for (const { data } of events) if (data.type === 'text-delta') byPath.set(data.path, (byPath.get(data.path) ?? '') + data.delta);
    expect(byPath.get('desk/logs')).toBe('The logs show 502s after the deploy.');
    expect((await run.result).runId).toBe(events[0]!.data.runId);
  });

  it('a client that goes away cancels the run', async () => {
    const slowModel = scripted(['a b c d e f g h'], { delayMs: 0 });
    const run = stream(new Agent({ name: 'a', instructions: 'x', model: slowModel }), 'q');
    const res = toSSE(run);
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel('closed tab');
    await expect(run.result).rejects.toMatchObject({ code: 'RUN_ABORTED' });
  });
});
