/**
 * The Chat Completions wire format (POST /v1/chat/completions) as vLLM,
 * Ollama and llama.cpp serve it: completion objects, chunk streams ending in
 * a usage chunk and `data: [DONE]`, and error bodies.
 */
import { split } from './openai-responses.js';
import type { SseEvent, WireReply } from './server.js';

let seq = 0;
const nextId = (prefix: string) => `${prefix}-${(++seq).toString(16).padStart(8, '0')}`;

export interface ChatCallSpec {
  name: string;
  arguments: string;
  id?: string;
}

export interface ChatAnswer {
  text?: string;
  /** Streamed as `reasoning_content` deltas before the text (vLLM / DeepSeek style). */
  reasoning?: string;
  calls?: ChatCallSpec[];
  finishReason?: 'stop' | 'tool_calls' | 'length' | 'content_filter';
  usage?: { prompt: number; completion: number; cached?: number; reasoning?: number };
}

export function completionObject(a: ChatAnswer, model = 'llama3.1') {
  const usage = a.usage ?? { prompt: 30, completion: 5 };
  const calls = (a.calls ?? []).map((c) => ({ id: c.id ?? nextId('call'), type: 'function', function: { name: c.name, arguments: c.arguments } }));
  return {
    id: nextId('chatcmpl'),
    object: 'chat.completion',
    created: 1_764_000_000,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: a.text ?? null, refusal: null, ...(calls.length ? { tool_calls: calls } : {}) },
        logprobs: null,
        finish_reason: a.finishReason ?? (calls.length ? 'tool_calls' : 'stop'),
      },
    ],
    usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
  };
}

export function chatJsonReply(body: unknown, requestId?: string): WireReply {
  return { json: body, headers: requestId ? { 'x-request-id': requestId } : {} };
}

export function chatErrorReply(status: number, message: string, headers: Record<string, string> = {}): WireReply {
  return { status, headers, json: { error: { message, type: status === 429 ? 'rate_limit_error' : 'BadRequestError', param: null, code: status } } };
}

/** The chunk stream: role, content pieces, tool-call fragments by index, the finish chunk, the usage chunk, [DONE]. */
export function chunkEvents(a: ChatAnswer, opts: { chunks?: number; model?: string } = {}): SseEvent[] {
  const id = nextId('chatcmpl');
  const base = { id, object: 'chat.completion.chunk', created: 1_764_000_000, model: opts.model ?? 'llama3.1' };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): SseEvent => ({
    data: { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] },
  });
  const events: SseEvent[] = [chunk({ role: 'assistant', content: '' })];
  if (a.reasoning) for (const piece of split(a.reasoning, opts.chunks ?? 3)) events.push(chunk({ reasoning_content: piece }));
  if (a.text) for (const piece of split(a.text, opts.chunks ?? 3)) events.push(chunk({ content: piece }));
  (a.calls ?? []).forEach((c, index) => {
    events.push(chunk({ tool_calls: [{ index, id: c.id ?? nextId('call'), type: 'function', function: { name: c.name, arguments: '' } }] }));
    for (const piece of split(c.arguments, opts.chunks ?? 3)) events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  events.push(chunk({}, a.finishReason ?? (a.calls?.length ? 'tool_calls' : 'stop')));
  const usage = a.usage ?? { prompt: 30, completion: 5 };
  events.push({
    data: {
      ...base,
      choices: [],
      usage: {
        prompt_tokens: usage.prompt,
        completion_tokens: usage.completion,
        total_tokens: usage.prompt + usage.completion,
        ...(usage.cached ? { prompt_tokens_details: { cached_tokens: usage.cached } } : {}),
        ...(usage.reasoning ? { completion_tokens_details: { reasoning_tokens: usage.reasoning } } : {}),
      },
    },
  });
  events.push({ data: '[DONE]' });
  return events;
}

export function chatSseReply(events: SseEvent[], opts: { requestId?: string; hangAfter?: number } = {}): WireReply {
  return { sse: events, headers: opts.requestId ? { 'x-request-id': opts.requestId } : {}, hangAfter: opts.hangAfter };
}

/** Fake server model for the order-support example (see orderSupportResponder in openai-responses.ts). */
export function chatOrderSupportResponder(req: { body: any }): WireReply {
  const messages = req.body.messages as any[];
  const results = messages.filter((m) => m.role === 'tool');
  let answer: ChatAnswer;
  if (results.length === 0) {
    const user = messages.find((m) => m.role === 'user');
    const orderId = /\b(\d{3,8})\b/.exec(String(user?.content ?? ''))?.[1] ?? '0';
    answer = { calls: [{ name: 'get_order', arguments: JSON.stringify({ order_id: orderId }) }] };
  } else {
    const o = JSON.parse(results[results.length - 1].content) as { order_id: string; status: string; carrier: string; eta: string };
    answer = { text: `Order ${o.order_id} is ${o.status} with ${o.carrier}, arriving ${o.eta}.` };
  }
  return req.body.stream ? chatSseReply(chunkEvents(answer)) : chatJsonReply(completionObject(answer), nextId('req'));
}

/**
 * What a Chat Completions server would reject in a request's media parts:
 * image_url needs { url } (http(s) or a base64 data: URL); file needs
 * { file_data: base64 data: URL, filename } or a file_id; tool messages take text only.
 */
export function chatMediaProblems(body: any): string[] {
  const problems: string[] = [];
  for (const m of body?.messages ?? []) {
    if (!Array.isArray(m.content)) continue;
    for (const p of m.content) {
      if (m.role === 'tool' && p.type !== 'text') problems.push(`tool message with a ${p.type} part`);
      if (p.type === 'image_url') {
        if (!/^(https?:\/\/|data:image\/[a-z+.-]+;base64,[A-Za-z0-9+/=]+$)/.test(p.image_url?.url ?? '')) problems.push('image_url without a usable url');
      } else if (p.type === 'file') {
        const f = p.file ?? {};
        if (!(f.file_id || (/^data:[a-z]+\/[a-z0-9+.-]+;base64,[A-Za-z0-9+/=]+$/.test(f.file_data ?? '') && f.filename))) problems.push('file needs file_data (base64 data: URL) with a filename, or a file_id');
      } else if (p.type !== 'text') problems.push(`unknown content part ${p.type}`);
    }
  }
  return problems;
}
