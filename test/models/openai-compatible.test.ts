import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, ModelError } from '../../src/core/errors.js';
import type { ModelRequest, StreamEvent } from '../../src/core/model.js';
import { toJsonSchema } from '../../src/core/schema.js';
import { tool } from '../../src/core/tool.js';
import { OpenAICompatibleModel } from '../../src/models/openai-compatible.js';
import type { RetryInfo } from '../../src/models/http/retry.js';
import { chatErrorReply, chatJsonReply, chatSseReply, chunkEvents, completionObject } from '../support/wire/chat-completions.js';
import { inOrder, startWireServer, wireServerPerTest, type WireServer } from '../support/wire/server.js';
import { collect } from '../support/collect.js';

const serve = wireServerPerTest();

function model(s: WireServer, extra: ConstructorParameters<typeof OpenAICompatibleModel>[1] = {}) {
  return new OpenAICompatibleModel('llama3.1', { baseUrl: `${s.origin}/v1`, retryBaseDelayMs: 1, ...extra });
}

const getOrder = tool({ name: 'get_order', description: 'Fetch an order by id.', input: z.object({ order_id: z.string() }), execute: () => ({}) });
const ask: ModelRequest = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Where is order 1042?' }] };


describe('openai-compatible (Chat Completions)', () => {
  it('sends messages, tools and tool results in the chat format; sends no Authorization without a key', async () => {
    const s = await serve(() => chatJsonReply(completionObject({ text: 'It shipped.', usage: { prompt: 61, completion: 4 } }), 'vllm-req-1'));
    const res = await model(s).generate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Where is order 1042?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_order', arguments: '{"order_id":"1042"}' }] },
        { role: 'tool', toolCallId: 'call_1', toolName: 'get_order', content: '{"status":"shipped"}' },
      ],
      tools: [getOrder.spec],
      maxOutputTokens: 200,
    });
    const req = s.requests[0]!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body.model).toBe('llama3.1');
    expect(req.body.max_tokens).toBe(200);
    expect(req.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Where is order 1042?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_order', arguments: '{"order_id":"1042"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"status":"shipped"}' },
    ]);
    expect(req.body.tools).toEqual([
      { type: 'function', function: { name: 'get_order', description: 'Fetch an order by id.', parameters: getOrder.spec.parameters, strict: true } },
    ]);
    expect(res).toEqual({ text: 'It shipped.', toolCalls: [], usage: { inputTokens: 61, outputTokens: 4 }, finishReason: 'stop', providerRequestId: 'vllm-req-1' });
  });

  it('sends the API key when one is configured (OPENAI_COMPATIBLE_API_KEY or apiKey)', async () => {
    const s = await serve(() => chatJsonReply(completionObject({ text: 'ok' })));
    await model(s, { apiKey: 'local-secret' }).generate(ask);
    expect(s.requests[0]!.headers.authorization).toBe('Bearer local-secret');
  });

  it('maps tool_calls and falls back to the completion id as the request id', async () => {
    const body = completionObject({ calls: [{ id: 'call_9', name: 'get_order', arguments: '{"order_id":"7"}' }] });
    const s = await serve(() => chatJsonReply(body));
    const res = await model(s).generate({ ...ask, tools: [getOrder.spec] });
    expect(res.toolCalls).toEqual([{ id: 'call_9', name: 'get_order', arguments: '{"order_id":"7"}' }]);
    expect(res.finishReason).toBe('tool_calls');
    expect(res.providerRequestId).toBe(body.id);
  });

  it('asks for json_schema output through response_format', async () => {
    const schema = toJsonSchema(z.object({ score: z.number() }));
    const s = await serve(() => chatJsonReply(completionObject({ text: '{"score":0.8}' })));
    const res = await model(s).generate({ ...ask, output: { name: 'grade', schema, strict: true } });
    expect(s.requests[0]!.body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'grade', schema, strict: true } });
    expect(JSON.parse(res.text)).toEqual({ score: 0.8 });
  });

  it('needs a base URL: ConfigError naming baseUrl and OPENAI_COMPATIBLE_BASE_URL', () => {
    const saved = process.env.OPENAI_COMPATIBLE_BASE_URL;
    delete process.env.OPENAI_COMPATIBLE_BASE_URL;
    try {
      let err: unknown;
      try {
        new OpenAICompatibleModel('llama3.1');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain('baseUrl');
      expect((err as Error).message).toContain('OPENAI_COMPATIBLE_BASE_URL');
    } finally {
      if (saved !== undefined) process.env.OPENAI_COMPATIBLE_BASE_URL = saved;
    }
  });

  it('retries 429 (Retry-After) and 500, not 400', async () => {
    const s = await serve(
      inOrder(chatErrorReply(429, 'busy', { 'retry-after': '1' }), chatErrorReply(500, 'boom'), chatJsonReply(completionObject({ text: 'third time' }))),
    );
    const retries: RetryInfo[] = [];
    const res = await model(s).generate(ask, { onRetry: (i) => retries.push(i) });
    expect(res.text).toBe('third time');
    expect(retries.map((r) => r.status)).toEqual([429, 500]);
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(995);

    const s2 = await startWireServer(() => chatErrorReply(400, 'bad tool schema', { 'x-request-id': 'req-400' }));
    try {
      const err = await model(s2).generate(ask).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelError);
      expect(err).toMatchObject({ status: 400, retryable: false, requestId: 'req-400' });
      expect(s2.requests).toHaveLength(1);
    } finally {
      await s2.close();
    }
  });

  it('times out a hung server and retries', async () => {
    const s = await serve(inOrder({ hang: true }, chatJsonReply(completionObject({ text: 'awake' }))));
    const res = await model(s, { timeoutMs: 1000 }).generate(ask);
    expect(res.text).toBe('awake');
    expect(s.requests).toHaveLength(2);
  });

  it('streams content deltas and assembles tool calls from fragments, with usage from the last chunk', async () => {
    const s = await serve(() =>
      chatSseReply(
        chunkEvents(
          {
            text: 'Looking it up',
            calls: [
              { id: 'call_a', name: 'get_order', arguments: '{"order_id":"1042"}' },
              { id: 'call_b', name: 'get_order', arguments: '{"order_id":"1043"}' },
            ],
            usage: { prompt: 70, completion: 22 },
          },
          { chunks: 4 },
        ),
        { requestId: 'stream-req' },
      ),
    );
    const events = await collect(model(s).stream({ ...ask, tools: [getOrder.spec] }));
    expect(s.requests[0]!.body.stream).toBe(true);
    expect(s.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    const text = events.filter((e) => e.type === 'text-delta').map((e) => (e as { delta: string }).delta).join('');
    expect(text).toBe('Looking it up');
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([
      { type: 'tool-call', call: { id: 'call_a', name: 'get_order', arguments: '{"order_id":"1042"}' } },
      { type: 'tool-call', call: { id: 'call_b', name: 'get_order', arguments: '{"order_id":"1043"}' } },
    ]);
    expect(events[events.length - 1]).toMatchObject({
      type: 'finish',
      response: { finishReason: 'tool_calls', usage: { inputTokens: 70, outputTokens: 22 }, providerRequestId: 'stream-req' },
    });
  });

  it('retries a stream that fails with 503 before the first chunk', async () => {
    const s = await serve(inOrder(chatErrorReply(503, 'loading model'), chatSseReply(chunkEvents({ text: 'ready' }))));
    const events = await collect(model(s).stream(ask));
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', response: { text: 'ready', finishReason: 'stop' } });
    expect(s.requests).toHaveLength(2);
  });
});
