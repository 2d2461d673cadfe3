import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, ModelError, RunAborted } from '../../src/core/errors.js';
import type { ModelRequest, StreamEvent } from '../../src/core/model.js';
import { toJsonSchema } from '../../src/core/schema.js';
import { tool } from '../../src/core/tool.js';
import { OpenAIResponsesModel } from '../../src/models/openai.js';
import type { RetryInfo } from '../../src/models/http/retry.js';
import { errorReply, jsonReply, responseEvents, responseObject, sseReply } from '../support/wire/openai-responses.js';
import { inOrder, wireServerPerTest, type WireServer } from '../support/wire/server.js';
import { collect } from '../support/collect.js';

const serve = wireServerPerTest();

function model(s: WireServer, extra: ConstructorParameters<typeof OpenAIResponsesModel>[1] = {}) {
  return new OpenAIResponsesModel('gpt-4o', { baseUrl: `${s.origin}/v1`, apiKey: 'sk-test-key', retryBaseDelayMs: 1, ...extra });
}

const getOrder = tool({
  name: 'get_order',
  description: 'Fetch an order by id.',
  input: z.object({ order_id: z.string() }),
  execute: ({ order_id }) => ({ order_id }),
});

const ask: ModelRequest = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Where is order 1042?' }] };


describe('openai (Responses API) request mapping', () => {
  it('sends system as instructions, tools as strict function tools, and a conversation with tool calls as items', async () => {
    const s = await serve(() => jsonReply(responseObject([{ text: 'It shipped.' }]), 'req_map'));
    const m = model(s);
    const res = await m.generate(
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Where is order 1042?' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_order', arguments: '{"order_id":"1042"}' }] },
          { role: 'tool', toolCallId: 'call_1', toolName: 'get_order', content: '{"status":"shipped"}' },
        ],
        tools: [getOrder.spec],
        temperature: 0.2,
        maxOutputTokens: 300,
      },
      { requestId: 'our-req-1' },
    );
    const req = s.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/responses');
    expect(req.headers.authorization).toBe('Bearer sk-test-key');
    expect(req.headers['x-client-request-id']).toBe('our-req-1');
    expect(req.headers['x-stainless-retry-count']).toBe('0');
    expect(req.body.model).toBe('gpt-4o');
    expect(req.body.instructions).toBe('Be brief.');
    expect(req.body.temperature).toBe(0.2);
    expect(req.body.max_output_tokens).toBe(300);
    expect(req.body.input).toEqual([
      { role: 'user', content: 'Where is order 1042?' },
      { type: 'function_call', call_id: 'call_1', name: 'get_order', arguments: '{"order_id":"1042"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"status":"shipped"}' },
    ]);
    expect(req.body.tools).toEqual([
      { type: 'function', name: 'get_order', description: 'Fetch an order by id.', parameters: getOrder.spec.parameters, strict: true },
    ]);
    expect(res.text).toBe('It shipped.');
    expect(res.providerRequestId).toBe('req_map');
    expect(res.usage).toEqual({ inputTokens: 42, outputTokens: 7 });
    expect(res.finishReason).toBe('stop');
  });

  it('marks a tool non-strict when its schema has optional fields', async () => {
    const s = await serve(() => jsonReply(responseObject([{ text: 'ok' }])));
    const loose = tool({ name: 'search', description: 'Search.', input: z.object({ q: z.string(), limit: z.number().optional() }), execute: () => [] });
    await model(s).generate({ ...ask, tools: [loose.spec] });
    expect(s.requests[0]!.body.tools[0].strict).toBe(false);
  });

  it('maps function calls in the output to tool calls', async () => {
    const s = await serve(() =>
      jsonReply(responseObject([{ call: { name: 'get_order', arguments: '{"order_id":"1042"}', callId: 'call_abc' } }], { usage: { input: 80, output: 12 } })),
    );
    const res = await model(s).generate({ ...ask, tools: [getOrder.spec] });
    expect(res.toolCalls).toEqual([{ id: 'call_abc', name: 'get_order', arguments: '{"order_id":"1042"}' }]);
    expect(res.finishReason).toBe('tool_calls');
    expect(res.usage).toEqual({ inputTokens: 80, outputTokens: 12 });
  });

  it('asks for strict json_schema structured output and returns the JSON text', async () => {
    const schema = toJsonSchema(z.object({ verdict: z.enum(['approve', 'reject']), reason: z.string() }));
    const s = await serve((req) => {
      const fmt = req.body.text?.format;
      return jsonReply(responseObject([{ text: JSON.stringify({ verdict: 'approve', reason: `format ${fmt?.type}/${fmt?.name}` }) }]));
    });
    const res = await model(s).generate({ ...ask, output: { name: 'review verdict', schema, strict: true } });
    expect(s.requests[0]!.body.text).toEqual({ format: { type: 'json_schema', name: 'review_verdict', schema, strict: true } });
    expect(JSON.parse(res.text)).toEqual({ verdict: 'approve', reason: 'format json_schema/review_verdict' });
  });

  it('maps an incomplete response to finishReason length', async () => {
    const s = await serve(() => jsonReply(responseObject([{ text: 'Order 10' }], { status: 'incomplete', incompleteReason: 'max_output_tokens' })));
    const res = await model(s).generate(ask);
    expect(res.finishReason).toBe('length');
    expect(res.text).toBe('Order 10');
  });
});

describe('openai configuration', () => {
  const saved = { key: process.env.OPENAI_API_KEY, base: process.env.OPENAI_BASE_URL };
  afterEach(() => {
    for (const [k, v] of [['OPENAI_API_KEY', saved.key], ['OPENAI_BASE_URL', saved.base]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('fails at construction with a ConfigError naming OPENAI_API_KEY when no key is set', () => {
    delete process.env.OPENAI_API_KEY;
    let err: unknown;
    try {
      new OpenAIResponsesModel('gpt-4o');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('OPENAI_API_KEY');
  });

  it('reads OPENAI_API_KEY and OPENAI_BASE_URL from the environment; options win', async () => {
    const s = await serve(() => jsonReply(responseObject([{ text: 'hi' }])));
    process.env.OPENAI_API_KEY = 'sk-from-env';
    process.env.OPENAI_BASE_URL = `${s.origin}/v1`;
    await new OpenAIResponsesModel('gpt-4o').generate(ask);
    expect(s.requests[0]!.headers.authorization).toBe('Bearer sk-from-env');
    await new OpenAIResponsesModel('gpt-4o', { apiKey: 'sk-option' }).generate(ask);
    expect(s.requests[1]!.headers.authorization).toBe('Bearer sk-option');
  });

  it('rejects a bad maxRetries / timeoutMs with a ConfigError naming the field', () => {
    expect(() => new OpenAIResponsesModel('gpt-4o', { apiKey: 'k', maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => new OpenAIResponsesModel('gpt-4o', { apiKey: 'k', timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

describe('openai retries', () => {
  it('honours Retry-After on a 429: one retry, sent after the stated delay', async () => {
    const s = await serve(inOrder(errorReply(429, 'Rate limit reached', { headers: { 'retry-after': '1' } }), jsonReply(responseObject([{ text: 'done' }]), 'req_ok')));
    const retries: RetryInfo[] = [];
    const res = await model(s).generate(ask, { onRetry: (i) => retries.push(i) });
    expect(res.text).toBe('done');
    expect(res.providerRequestId).toBe('req_ok');
    expect(s.requests).toHaveLength(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, status: 429 });
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(1000);
    // The server saw the retry no sooner than it asked (1 s), though backoff alone would be ~1 ms.
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(995);
  });

  it('honours retry-after-ms', async () => {
    const s = await serve(inOrder(errorReply(429, 'slow down', { headers: { 'retry-after-ms': '300' } }), jsonReply(responseObject([{ text: 'ok' }]))));
    const retries: RetryInfo[] = [];
    await model(s).generate(ask, { onRetry: (i) => retries.push(i) });
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(300);
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(295);
  });

  it('retries a 500 and succeeds', async () => {
    const s = await serve(inOrder(errorReply(500, 'The server had an error'), jsonReply(responseObject([{ text: 'recovered' }]))));
    const retries: RetryInfo[] = [];
    const res = await model(s).generate(ask, { onRetry: (i) => retries.push(i) });
    expect(res.text).toBe('recovered');
    expect(s.requests).toHaveLength(2);
    expect(retries.map((r) => r.status)).toEqual([500]);
    expect(s.requests[1]!.headers['x-stainless-retry-count']).toBe('0'); // the SDK's own retries stay off
  });

  it('does not retry a 400 and reports status and provider request id', async () => {
    const s = await serve(() => errorReply(400, "Invalid schema for function 'get_order'", { requestId: 'req_bad' }));
    const err = await model(s).generate(ask).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ status: 400, requestId: 'req_bad', retryable: false, provider: 'openai' });
    expect((err as Error).message).toContain('Invalid schema');
    expect(s.requests).toHaveLength(1);
  });

  it('gives up after maxRetries with a retryable ModelError', async () => {
    const s = await serve(() => errorReply(503, 'overloaded', { requestId: 'req_503' }));
    const err = await model(s, { maxRetries: 2 }).generate(ask).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, retryable: true, requestId: 'req_503' });
    expect((err as Error).message).toContain('after 3 attempts');
    expect(s.requests).toHaveLength(3);
  });

  it('times out a hung connection and retries it', async () => {
    const s = await serve(inOrder({ hang: true }, jsonReply(responseObject([{ text: 'second try' }]))));
    const retries: RetryInfo[] = [];
    const res = await model(s, { timeoutMs: 1000 }).generate(ask, { onRetry: (i) => retries.push(i) });
    expect(res.text).toBe('second try');
    expect(s.requests).toHaveLength(2);
    expect(retries[0]!.error).toContain('no response within 1000 ms');
    expect(retries[0]!.status).toBeUndefined();
  });

  it('a server that always hangs ends in a retryable ModelError', async () => {
    const s = await serve(() => ({ hang: true }));
    const err = await model(s, { timeoutMs: 200, maxRetries: 1 }).generate(ask).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ retryable: true, status: undefined });
    expect(s.requests).toHaveLength(2);
  });

  it('retries a refused connection', async () => {
    const s = await serve(() => jsonReply(responseObject([{ text: 'x' }])));
    const origin = s.origin;
    await s.close();
    const m = new OpenAIResponsesModel('gpt-4o', { baseUrl: `${origin}/v1`, apiKey: 'k', retryBaseDelayMs: 1, maxRetries: 1 });
    const retries: RetryInfo[] = [];
    const err = await m.generate(ask, { onRetry: (i) => retries.push(i) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: true });
    expect((err as Error).message).toMatch(/connection/i);
    expect(retries).toHaveLength(1);
  });

  it('an abort during the Retry-After wait stops at once, without another request', async () => {
    const s = await serve(() => errorReply(429, 'wait', { headers: { 'retry-after': '30' } }));
    const ac = new AbortController();
    const p = model(s).generate(ask, { signal: ac.signal, onRetry: () => ac.abort('user cancelled') });
    await expect(p).rejects.toBeInstanceOf(RunAborted);
    expect(s.requests).toHaveLength(1);
  });

  it('a Retry-After longer than maxRetryAfterMs fails instead of waiting', async () => {
    const s = await serve(() => errorReply(429, 'quota', { headers: { 'retry-after': '3600' } }));
    const err = await model(s, { maxRetryAfterMs: 5000 }).generate(ask).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, retryable: true });
    expect((err as Error).message).toContain('maxRetryAfterMs');
    expect(s.requests).toHaveLength(1);
  });
});

describe('openai streaming', () => {
  it('streams text deltas, then finish with usage and the request id', async () => {
    const s = await serve(() => sseReply(responseEvents([{ text: 'Order 1042 has shipped.' }], { chunks: 4, usage: { input: 20, output: 6 } }), { requestId: 'req_stream' }));
    const events = await collect(model(s).stream(ask));
    const deltas = events.filter((e) => e.type === 'text-delta').map((e) => (e as { delta: string }).delta);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Order 1042 has shipped.');
    const finish = events[events.length - 1]!;
    expect(finish).toEqual({
      type: 'finish',
      response: { text: 'Order 1042 has shipped.', toolCalls: [], usage: { inputTokens: 20, outputTokens: 6 }, finishReason: 'stop', providerRequestId: 'req_stream' },
    });
    expect(s.requests[0]!.body.stream).toBe(true);
  });

  it('assembles a function call from argument deltas', async () => {
    const args = '{"order_id":"1042","include_items":true}';
    const s = await serve(() => sseReply(responseEvents([{ call: { name: 'get_order', arguments: args, callId: 'call_s1' } }], { chunks: 5 })));
    const events = await collect(model(s).stream({ ...ask, tools: [getOrder.spec] }));
    const calls = events.filter((e) => e.type === 'tool-call');
    expect(calls).toEqual([{ type: 'tool-call', call: { id: 'call_s1', name: 'get_order', arguments: args } }]);
    const finish = events[events.length - 1] as Extract<StreamEvent, { type: 'finish' }>;
    expect(finish.response.finishReason).toBe('tool_calls');
    expect(finish.response.toolCalls).toEqual([{ id: 'call_s1', name: 'get_order', arguments: args }]);
  });

  it('retries a 429 before the first event', async () => {
    const s = await serve(inOrder(errorReply(429, 'slow', { headers: { 'retry-after-ms': '50' } }), sseReply(responseEvents([{ text: 'hello' }]))));
    const retries: RetryInfo[] = [];
    const events = await collect(model(s).stream(ask, { onRetry: (i) => retries.push(i) }));
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', response: { text: 'hello' } });
    expect(retries).toHaveLength(1);
    expect(s.requests).toHaveLength(2);
  });

  it('retries a stream that opens but never sends an event', async () => {
    const s = await serve(inOrder(sseReply(responseEvents([{ text: 'lost' }]), { hangAfter: 0 }), sseReply(responseEvents([{ text: 'found' }]))));
    const events = await collect(model(s, { timeoutMs: 1000 }).stream(ask));
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', response: { text: 'found' } });
    expect(s.requests).toHaveLength(2);
  });

  it('a stream that stalls after its first events fails with a ModelError, not a hang', async () => {
    const s = await serve(() => sseReply(responseEvents([{ text: 'partial answer here' }], { chunks: 3 }), { hangAfter: 6 }));
    const seen: StreamEvent[] = [];
    const err = await (async () => {
      for await (const e of model(s, { timeoutMs: 1000 }).stream(ask)) seen.push(e);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toContain('stream interrupted');
    expect(s.requests).toHaveLength(1); // events already reached the caller: no retry
    expect(seen.some((e) => e.type === 'text-delta')).toBe(true);
  });

  it('a stream cut off before response.completed is a ModelError', async () => {
    const events = responseEvents([{ text: 'cut' }]);
    const s = await serve(() => sseReply(events.slice(0, -1)));
    await expect(collect(model(s).stream(ask))).rejects.toThrow(/before response.completed/);
  });
});
