/**
 * The Anthropic Messages wire format (POST /v1/messages): message objects with
 * text and tool_use blocks, the named-event SSE stream (message_start,
 * content_block_*, ping, message_delta, message_stop) and error bodies. Text blocks
 * carry no `citations` field unless there are citations (the API omits it; the
 * AI SDK's response schema rejects a null there).
 */
import { split } from './openai-responses.js';
import type { SseEvent, WireReply } from './server.js';

let seq = 0;
const nextId = (prefix: string) => `${prefix}_${(++seq).toString(16).padStart(12, '0')}`;

export type Block = { text: string } | { thinking: string } | { toolUse: { name: string; input: unknown; id?: string } };

export interface AnthropicWireUsage {
  /** Uncached input (as the API counts it). */
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export function messageObject(blocks: Block[], opts: { stopReason?: string; usage?: AnthropicWireUsage; model?: string } = {}) {
  const usage = opts.usage ?? { input: 50, output: 9 };
  const content = blocks.map((b) =>
    'text' in b
      ? { type: 'text', text: b.text }
      : 'thinking' in b
        ? { type: 'thinking', thinking: b.thinking, signature: `sig_${b.thinking.length}` }
        : { type: 'tool_use', id: b.toolUse.id ?? nextId('toolu'), name: b.toolUse.name, input: b.toolUse.input, caller: { type: 'direct' } },
  );
  return {
    id: nextId('msg'),
    type: 'message',
    role: 'assistant',
    model: opts.model ?? 'claude-sonnet-5-5',
    content,
    stop_reason: opts.stopReason ?? (blocks.some((b) => 'toolUse' in b) ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: {
      input_tokens: usage.input,
      cache_creation_input_tokens: usage.cacheWrite ?? 0,
      cache_read_input_tokens: usage.cacheRead ?? 0,
      output_tokens: usage.output,
      service_tier: 'standard',
    },
  };
}

export function anthropicJsonReply(body: unknown, requestId = nextId('req')): WireReply {
  return { json: body, headers: { 'request-id': requestId } };
}

export function anthropicErrorReply(status: number, message: string, opts: { headers?: Record<string, string>; requestId?: string } = {}): WireReply {
  const type =
    status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : status >= 500 ? 'api_error' : status === 401 ? 'authentication_error' : 'invalid_request_error';
  const requestId = opts.requestId ?? nextId('req');
  return { status, headers: { 'request-id': requestId, ...opts.headers }, json: { type: 'error', error: { type, message }, request_id: requestId } };
}

/** The named-event stream for a message, text and tool input JSON split into pieces. */
export function messageEvents(blocks: Block[], opts: { chunks?: number; usage?: AnthropicWireUsage } = {}): SseEvent[] {
  const full = messageObject(blocks, { usage: opts.usage });
  const ev = (event: string, body: Record<string, unknown>): SseEvent => ({ event, data: { type: event, ...body } });
  const events: SseEvent[] = [
    ev('message_start', {
      message: { ...full, content: [], stop_reason: null, usage: { ...full.usage, output_tokens: 1 } },
    }),
  ];
  full.content.forEach((block: any, index) => {
    if (block.type === 'text') {
      events.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      if (index === 0) events.push(ev('ping', {}));
      for (const piece of split(block.text, opts.chunks ?? 3)) events.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
    } else if (block.type === 'thinking') {
      events.push(ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      for (const piece of split(block.thinking, opts.chunks ?? 3)) events.push(ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: piece } }));
      events.push(ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } }));
    } else {
      events.push(ev('content_block_start', { index, content_block: { ...block, input: {} } }));
      for (const piece of split(JSON.stringify(block.input), opts.chunks ?? 3)) {
        events.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }));
      }
    }
    events.push(ev('content_block_stop', { index }));
  });
  events.push(
    ev('message_delta', {
      delta: { stop_reason: full.stop_reason, stop_sequence: null },
      usage: { output_tokens: full.usage.output_tokens, input_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null },
    }),
  );
  events.push(ev('message_stop', {}));
  return events;
}

export function anthropicSseReply(events: SseEvent[], opts: { requestId?: string; hangAfter?: number } = {}): WireReply {
  return { sse: events, headers: { 'request-id': opts.requestId ?? nextId('req') }, hangAfter: opts.hangAfter };
}

/** tool_result blocks in a request, across its user turns. */
export function toolResultBlocks(body: any): { tool_use_id: string; content: string; is_error?: boolean }[] {
  const out: any[] = [];
  for (const m of body?.messages ?? []) if (m.role === 'user' && Array.isArray(m.content)) for (const b of m.content) if (b.type === 'tool_result') out.push(b);
  return out;
}

/** Fake Messages model for the order-support example (see orderSupportResponder in openai-responses.ts). */
export function anthropicOrderSupportResponder(req: { body: any }): WireReply {
  const results = toolResultBlocks(req.body);
  let blocks: Block[];
  if (results.length === 0) {
    const first = req.body.messages[0];
    const text = typeof first.content === 'string' ? first.content : first.content.map((b: any) => b.text ?? '').join(' ');
    const orderId = /\b(\d{3,8})\b/.exec(text)?.[1] ?? '0';
    blocks = [{ text: 'Let me look that up.' }, { toolUse: { name: 'get_order', input: { order_id: orderId } } }];
  } else {
    const o = JSON.parse(results[results.length - 1]!.content) as { order_id: string; status: string; carrier: string; eta: string };
    blocks = [{ text: `Order ${o.order_id} is ${o.status} with ${o.carrier}, arriving ${o.eta}.` }];
  }
  return req.body.stream ? anthropicSseReply(messageEvents(blocks)) : anthropicJsonReply(messageObject(blocks));
}

const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

/**
 * What the Messages API would reject in a request's image and document blocks
 * (in user turns and inside tool_result content): image sources are base64 with
 * a jpeg/png/gif/webp media_type, or url; document sources are base64 PDF, url,
 * or text/plain.
 */
export function anthropicMediaProblems(body: any): string[] {
  const problems: string[] = [];
  const blocks: any[] = [];
  for (const m of body?.messages ?? []) {
    if (!Array.isArray(m.content)) continue;
    for (const b of m.content) {
      blocks.push(b);
      if (b.type === 'tool_result' && Array.isArray(b.content)) blocks.push(...b.content);
    }
  }
  for (const b of blocks) {
    const s = b.source ?? {};
    if (b.type === 'image') {
      const ok = (s.type === 'base64' && IMAGE_MEDIA_TYPES.includes(s.media_type) && /^[A-Za-z0-9+/=]+$/.test(s.data ?? '')) || (s.type === 'url' && /^https?:\/\//.test(s.url ?? ''));
      if (!ok) problems.push(`image block with an unusable source: ${JSON.stringify(s).slice(0, 60)}`);
    } else if (b.type === 'document') {
      const ok =
        (s.type === 'base64' && s.media_type === 'application/pdf' && /^[A-Za-z0-9+/=]+$/.test(s.data ?? '')) ||
        (s.type === 'url' && /^https?:\/\//.test(s.url ?? '')) ||
        (s.type === 'text' && s.media_type === 'text/plain' && typeof s.data === 'string');
      if (!ok) problems.push(`document block with an unusable source: ${JSON.stringify(s).slice(0, 60)}`);
    }
  }
  return problems;
}

/**
 * Where this library puts cache_control by default (missing ones listed): the
 * last system block, the last tool, and the last block of the first message.
 */
export function missingCacheBreakpoints(body: any): string[] {
  const missing: string[] = [];
  const last = (xs: any[] | undefined) => (Array.isArray(xs) ? xs[xs.length - 1] : undefined);
  if (body.system !== undefined && !last(body.system)?.cache_control) missing.push('system');
  if (body.tools?.length && !last(body.tools)?.cache_control) missing.push('tools');
  if (body.messages?.length && !last(body.messages[0].content)?.cache_control) missing.push('messages[0]');
  return missing;
}
