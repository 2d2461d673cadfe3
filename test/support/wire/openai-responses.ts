/**
 * The OpenAI Responses API wire format (POST /v1/responses): response objects,
 * output items, SSE event sequences and error bodies, shaped as the API
 * sends them (see openai/resources/responses/responses.d.ts).
 */
import type { SseEvent, WireReply } from './server.js';

let seq = 0;
const nextId = (prefix: string) => `${prefix}_${(++seq).toString(16).padStart(8, '0')}`;

export interface FunctionCallSpec {
  name: string;
  arguments: string;
  callId?: string;
}

export type OutputSpec = { text: string } | { call: FunctionCallSpec } | { refusal: string };

export function messageItem(text: string, id = nextId('msg')) {
  return { type: 'message', id, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] };
}

export function functionCallItem(call: FunctionCallSpec, id = nextId('fc')) {
  return { type: 'function_call', id, call_id: call.callId ?? nextId('call'), name: call.name, arguments: call.arguments, status: 'completed' };
}

function itemFor(o: OutputSpec) {
  if ('text' in o) return messageItem(o.text);
  if ('refusal' in o) return { type: 'message', id: nextId('msg'), status: 'completed', role: 'assistant', content: [{ type: 'refusal', refusal: o.refusal }] };
  return functionCallItem(o.call);
}

/** Token counts a response reports: cached is part of input, reasoning part of output. */
export interface WireUsage {
  input: number;
  output: number;
  cached?: number;
  reasoning?: number;
}

export function responseObject(
  output: OutputSpec[],
  opts: { model?: string; usage?: WireUsage; status?: 'completed' | 'incomplete'; incompleteReason?: string } = {},
) {
  const usage = opts.usage ?? { input: 42, output: 7 };
  return {
    id: nextId('resp'),
    object: 'response',
    created_at: 1_764_000_000,
    status: opts.status ?? 'completed',
    error: null,
    incomplete_details: opts.incompleteReason ? { reason: opts.incompleteReason } : null,
    instructions: null,
    max_output_tokens: null,
    model: opts.model ?? 'gpt-4o-2024-08-06',
    output: output.map(itemFor),
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: {
      input_tokens: usage.input,
      input_tokens_details: { cached_tokens: usage.cached ?? 0 },
      output_tokens: usage.output,
      output_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 },
      total_tokens: usage.input + usage.output,
    },
    user: null,
    metadata: {},
  };
}

export function jsonReply(body: unknown, requestId = nextId('req')): WireReply {
  return { json: body, headers: { 'x-request-id': requestId, 'openai-processing-ms': '12' } };
}

export function errorReply(status: number, message: string, opts: { headers?: Record<string, string>; code?: string; requestId?: string } = {}): WireReply {
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return {
    status,
    headers: { 'x-request-id': opts.requestId ?? nextId('req'), ...opts.headers },
    json: { error: { message, type, param: null, code: opts.code ?? (status === 429 ? 'rate_limit_exceeded' : null) } },
  };
}

/**
 * The SSE sequence the API streams for a response: created, in_progress, per
 * output item its added / delta / done events (text in `chunks` pieces,
 * function arguments in pieces), then response.completed with the whole response.
 */
export function responseEvents(output: OutputSpec[], opts: { chunks?: number; usage?: WireUsage; reasoningSummary?: string } = {}): SseEvent[] {
  const full = responseObject(output, { usage: opts.usage });
  const inProgress = { ...full, status: 'in_progress', output: [], usage: null };
  let n = 0;
  const ev = (type: string, body: Record<string, unknown>): SseEvent => ({ event: type, data: { type, sequence_number: n++, ...body } });
  const events: SseEvent[] = [ev('response.created', { response: inProgress }), ev('response.in_progress', { response: inProgress })];
  if (opts.reasoningSummary !== undefined) {
    // A reasoning item first, its summary streamed in pieces, as reasoning models send it with summary: "auto".
    const id = nextId('rs');
    const item = { type: 'reasoning', id, summary: [{ type: 'summary_text', text: opts.reasoningSummary }] };
    events.push(ev('response.output_item.added', { output_index: 0, item: { ...item, summary: [] } }));
    for (const piece of split(opts.reasoningSummary, opts.chunks ?? 3)) {
      events.push(ev('response.reasoning_summary_text.delta', { item_id: id, output_index: 0, summary_index: 0, delta: piece }));
    }
    events.push(ev('response.output_item.done', { output_index: 0, item }));
    (full.output as unknown[]).unshift(item);
  }
  full.output.forEach((item: any, output_index) => {
    if (item.type === 'reasoning') return;
    if (item.type === 'message') {
      const text: string = item.content[0].text ?? '';
      events.push(ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } }));
      events.push(ev('response.content_part.added', { item_id: item.id, output_index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }));
      for (const piece of split(text, opts.chunks ?? 3)) {
        events.push(ev('response.output_text.delta', { item_id: item.id, output_index, content_index: 0, delta: piece, logprobs: [] }));
      }
      events.push(ev('response.output_text.done', { item_id: item.id, output_index, content_index: 0, text, logprobs: [] }));
      events.push(ev('response.content_part.done', { item_id: item.id, output_index, content_index: 0, part: item.content[0] }));
      events.push(ev('response.output_item.done', { output_index, item }));
    } else {
      events.push(ev('response.output_item.added', { output_index, item: { ...item, arguments: '', status: 'in_progress' } }));
      for (const piece of split(item.arguments, opts.chunks ?? 3)) {
        events.push(ev('response.function_call_arguments.delta', { item_id: item.id, output_index, delta: piece }));
      }
      events.push(ev('response.function_call_arguments.done', { item_id: item.id, output_index, name: item.name, arguments: item.arguments }));
      events.push(ev('response.output_item.done', { output_index, item }));
    }
  });
  events.push(ev('response.completed', { response: full }));
  return events;
}

export function sseReply(events: SseEvent[], opts: { requestId?: string; hangAfter?: number } = {}): WireReply {
  return { sse: events, headers: { 'x-request-id': opts.requestId ?? nextId('req') }, hangAfter: opts.hangAfter };
}

/** Splits text into about `n` pieces (at least one). */
export function split(text: string, n: number): string[] {
  if (!text) return [''];
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** The text of an input message's content (a string, or input_text parts as the AI SDK sends them). */
export function inputText(content: unknown): string {
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? content.map((p: any) => p?.text ?? '').join(' ') : '';
}

/** The function_call_output items a request carries (the tool results the model is shown). */
export function functionOutputs(body: any): { call_id: string; output: string }[] {
  return (body?.input ?? []).filter((i: any) => i?.type === 'function_call_output');
}

/**
 * A fake Responses model for the order-support example: without a tool result
 * yet, it calls get_order for the order number in the user's message; with
 * one, it answers from that tool output (so the answer proves the output
 * made the round trip).
 */
export function orderSupportResponder(req: { body: any }): WireReply {
  const outputs = functionOutputs(req.body);
  if (outputs.length === 0) {
    const user = (req.body.input as any[]).find((i) => i.role === 'user');
    const orderId = /\b(\d{3,8})\b/.exec(inputText(user?.content))?.[1] ?? '0';
    const call = { name: 'get_order', arguments: JSON.stringify({ order_id: orderId }) };
    return req.body.stream ? sseReply(responseEvents([{ call }])) : jsonReply(responseObject([{ call }]));
  }
  const o = JSON.parse(outputs[outputs.length - 1]!.output) as { order_id: string; status: string; carrier: string; eta: string };
  const text = `Order ${o.order_id} is ${o.status} with ${o.carrier}, arriving ${o.eta}.`;
  return req.body.stream ? sseReply(responseEvents([{ text }])) : jsonReply(responseObject([{ text }]));
}

/**
 * What the Responses API would reject in a request's media parts: an input_image
 * needs an image_url (http(s) or a base64 data: URL) or a file_id (detail is optional);
 * an input_file needs file_data as a base64 data: URL with a filename, a file_url
 * or a file_id. Both may appear in messages and in function_call_output lists.
 */
export function responsesMediaProblems(body: any): string[] {
  const problems: string[] = [];
  const parts: any[] = [];
  for (const item of body?.input ?? []) {
    if (Array.isArray(item?.content)) parts.push(...item.content);
    if (item?.type === 'function_call_output' && Array.isArray(item.output)) parts.push(...item.output);
  }
  for (const p of parts) {
    if (p.type === 'input_image') {
      if (!(p.file_id || /^(https?:\/\/|data:image\/[a-z+.-]+;base64,[A-Za-z0-9+/=]+$)/.test(p.image_url ?? ''))) problems.push(`input_image without a usable image_url: ${String(p.image_url).slice(0, 40)}`);
      if (p.detail !== undefined && !['low', 'high', 'auto', 'original'].includes(p.detail)) problems.push(`input_image with detail ${p.detail}`);
    } else if (p.type === 'input_file') {
      const inline = typeof p.file_data === 'string' && /^data:[a-z]+\/[a-z0-9+.-]+;base64,[A-Za-z0-9+/=]+$/.test(p.file_data) && p.filename;
      if (!(inline || p.file_url || p.file_id)) problems.push('input_file needs file_data (base64 data: URL) with a filename, a file_url or a file_id');
    } else if (p.type !== 'input_text' && p.type !== 'output_text') problems.push(`unknown content part ${p.type}`);
  }
  return problems;
}
