import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, ModelError } from '../../src/core/errors.js';
import type { ModelRequest, StreamEvent } from '../../src/core/model.js';
import { toJsonSchema } from '../../src/core/schema.js';
import { tool } from '../../src/core/tool.js';
import { AnthropicModel, DEFAULT_ANTHROPIC_MAX_TOKENS } from '../../src/models/anthropic.js';
import type { RetryInfo } from '../../src/models/http/retry.js';
import { anthropicErrorReply, anthropicJsonReply, anthropicSseReply, messageEvents, messageObject } from '../support/wire/anthropic-messages.js';
import { inOrder, wireServerPerTest, type WireServer } from '../support/wire/server.js';
import { collect } from '../support/collect.js';

const serve = wireServerPerTest();

function model(s: WireServer, extra: ConstructorParameters<typeof AnthropicModel>[1] = {}) {
  return new AnthropicModel('claude-sonnet-5-5', { baseUrl: s.origin, apiKey: 'sk-ant-test', retryBaseDelayMs: 1, ...extra });
}

const getOrder = tool({ name: 'get_order', description: 'Fetch an order by id.', input: z.object({ order_id: z.string() }), execute: () => ({}) });
const ask: ModelRequest = { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Where is order 1042?' }] };


describe('anthropic (Messages API) request mapping', () => {
  it('sends system, max_tokens, tool_use and grouped tool_result blocks', async () => {
    const s = await serve(() => anthropicJsonReply(messageObject([{ text: 'Both shipped.' }], { usage: { input: 100, output: 5, cacheRead: 20 } }), 'req_ant_1'));
    const res = await model(s).generate({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Where are orders 1042 and 1043?' },
        {
          role: 'assistant',
          content: 'Checking both.',
          toolCalls: [
            { id: 'toolu_1', name: 'get_order', arguments: '{"order_id":"1042"}' },
            { id: 'toolu_2', name: 'get_order', arguments: '{"order_id":"1043"}' },
          ],
        },
        { role: 'tool', toolCallId: 'toolu_1', toolName: 'get_order', content: '{"status":"shipped"}' },
        { role: 'tool', toolCallId: 'toolu_2', toolName: 'get_order', content: 'order 1043 not found', isError: true },
      ],
      tools: [getOrder.spec],
    });
    const req = s.requests[0]!;
    expect(req.path).toBe('/v1/messages');
    expect(req.headers['anthropic-version']).toBeTruthy();
    expect(req.headers.authorization ?? req.headers['x-api-key']).toContain('sk-ant-test');
    // Prompt caching is on by default: breakpoints on the system prompt, the tools and the first message.
    expect(req.body.system).toEqual([{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }]);
    expect(req.body.max_tokens).toBe(DEFAULT_ANTHROPIC_MAX_TOKENS);
    expect(req.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Where are orders 1042 and 1043?', cache_control: { type: 'ephemeral' } }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_order', input: { order_id: '1042' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_order', input: { order_id: '1043' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '{"status":"shipped"}' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'order 1043 not found', is_error: true },
        ],
      },
    ]);
    expect(req.body.tools).toEqual([
      { name: 'get_order', description: 'Fetch an order by id.', input_schema: getOrder.spec.parameters, cache_control: { type: 'ephemeral' } },
    ]);
    expect(req.body.tool_choice).toBeUndefined();
    // cache reads count as input, and are reported apart for pricing
    expect(res).toEqual({
      text: 'Both shipped.',
      toolCalls: [],
      usage: { inputTokens: 120, outputTokens: 5, cacheReadTokens: 20 },
      finishReason: 'stop',
      providerRequestId: 'req_ant_1',
    });
  });

  it('prompt caching: more cached messages on request, at most four breakpoints, none when off', async () => {
    const s = await serve(() => anthropicJsonReply(messageObject([{ text: 'ok' }])));
    const convo: ModelRequest = {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'two' },
        { role: 'user', content: 'three' },
        { role: 'assistant', content: 'four' },
      ],
      tools: [getOrder.spec],
    };
    await model(s, { promptCache: { messages: 3 } }).generate(convo);
    const marked = (body: any) => [
      Array.isArray(body.system) && body.system.some((b: any) => b.cache_control),
      ...(body.tools ?? []).map((t: any) => Boolean(t.cache_control)),
      ...body.messages.map((m: any) => Array.isArray(m.content) && m.content.some((b: any) => b.cache_control)),
    ];
    // system + tools + 2 messages = 4: the third message asked for does not fit.
    expect(marked(s.requests[0]!.body)).toEqual([true, true, true, true, false, false]);
    await model(s, { promptCache: false }).generate(convo);
    expect(s.requests[1]!.body.system).toBe('Be brief.');
    expect(marked(s.requests[1]!.body)).toEqual([false, false, false, false, false, false]);
  });

  it('maps tool_use blocks to tool calls', async () => {
    const s = await serve(() =>
      anthropicJsonReply(messageObject([{ text: 'Let me check.' }, { toolUse: { id: 'toolu_x', name: 'get_order', input: { order_id: '1042' } } }])),
    );
    const res = await model(s, { maxOutputTokens: 512 }).generate({ ...ask, tools: [getOrder.spec] });
    expect(s.requests[0]!.body.max_tokens).toBe(512);
    expect(res.toolCalls).toEqual([{ id: 'toolu_x', name: 'get_order', arguments: '{"order_id":"1042"}' }]);
    expect(res.text).toBe('Let me check.');
    expect(res.finishReason).toBe('tool_calls');
  });

  it('structured output: a forced tool whose input becomes the JSON text', async () => {
    const schema = toJsonSchema(z.object({ verdict: z.enum(['approve', 'reject']), reason: z.string() }));
    const s = await serve((req) => {
      const forced = req.body.tool_choice?.name as string;
      return anthropicJsonReply(messageObject([{ toolUse: { name: forced, input: { verdict: 'reject', reason: 'missing receipt' } } }]));
    });
    const res = await model(s).generate({ ...ask, output: { name: 'verdict', schema, strict: true } });
    const req = s.requests[0]!;
    expect(req.body.tool_choice).toEqual({ type: 'tool', name: 'verdict' });
    expect(req.body.tools).toHaveLength(1);
    expect(req.body.tools[0]).toMatchObject({ name: 'verdict', input_schema: schema });
    expect(JSON.parse(res.text)).toEqual({ verdict: 'reject', reason: 'missing receipt' });
    expect(res.toolCalls).toEqual([]);
    expect(res.finishReason).toBe('stop');
  });

  it('structured output with real tools: the model may call a tool first (tool_choice any)', async () => {
    const schema = toJsonSchema(z.object({ status: z.string() }));
    const s = await serve(
      inOrder(
        anthropicJsonReply(messageObject([{ toolUse: { id: 'toolu_q', name: 'get_order', input: { order_id: '1042' } } }])),
        anthropicJsonReply(messageObject([{ toolUse: { name: 'output', input: { status: 'shipped' } } }])),
      ),
    );
    const m = model(s);
    const first = await m.generate({ ...ask, tools: [getOrder.spec], output: { name: 'output', schema, strict: true } });
    expect(s.requests[0]!.body.tool_choice).toEqual({ type: 'any' });
    expect(s.requests[0]!.body.tools.map((t: { name: string }) => t.name)).toEqual(['get_order', 'output']);
    expect(first.toolCalls).toEqual([{ id: 'toolu_q', name: 'get_order', arguments: '{"order_id":"1042"}' }]);
    const second = await m.generate({ ...ask, tools: [getOrder.spec], output: { name: 'output', schema, strict: true } });
    expect(second).toMatchObject({ text: '{"status":"shipped"}', toolCalls: [], finishReason: 'stop' });
  });

  it('a non-object output schema travels wrapped as { value } and comes back unwrapped', async () => {
    const schema = toJsonSchema(z.array(z.string()));
    const s = await serve(() => anthropicJsonReply(messageObject([{ toolUse: { name: 'tags', input: { value: ['refund', 'late'] } } }])));
    const res = await model(s).generate({ ...ask, output: { name: 'tags', schema, strict: true } });
    expect(s.requests[0]!.body.tools[0].input_schema).toMatchObject({ type: 'object', properties: { value: schema }, required: ['value'] });
    expect(JSON.parse(res.text)).toEqual(['refund', 'late']);
  });

  it('fails at construction with a ConfigError naming ANTHROPIC_API_KEY when no key is set', () => {
    const saved = process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_API_KEY;
    try {
      expect(() => new AnthropicModel('claude-sonnet-5-5')).toThrow(ConfigError);
      expect(() => new AnthropicModel('claude-sonnet-5-5')).toThrow(/ANTHROPIC_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.ANTHROPIC_API_KEY = saved;
    }
  });

  it('reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL from the environment', async () => {
    const s = await serve(() => anthropicJsonReply(messageObject([{ text: 'hi' }])));
    const saved = { key: process.env.ANTHROPIC_API_KEY, base: process.env.ANTHROPIC_BASE_URL };
    process.env.ANTHROPIC_API_KEY = 'sk-ant-env';
    process.env.ANTHROPIC_BASE_URL = s.origin;
    try {
      const res = await new AnthropicModel('claude-sonnet-5-5').generate(ask);
      expect(res.text).toBe('hi');
      expect(s.requests[0]!.headers.authorization ?? s.requests[0]!.headers['x-api-key']).toContain('sk-ant-env');
    } finally {
      for (const [k, v] of [['ANTHROPIC_API_KEY', saved.key], ['ANTHROPIC_BASE_URL', saved.base]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('anthropic retries', () => {
  it('honours Retry-After on 429 and retries 529 overloaded', async () => {
    const s = await serve(
      inOrder(
        anthropicErrorReply(429, 'Number of request tokens has exceeded your per-minute rate limit', { headers: { 'retry-after': '1' } }),
        anthropicErrorReply(529, 'Overloaded'),
        anthropicJsonReply(messageObject([{ text: 'finally' }]), 'req_final'),
      ),
    );
    const retries: RetryInfo[] = [];
    const res = await model(s).generate(ask, { onRetry: (i) => retries.push(i) });
    expect(res).toMatchObject({ text: 'finally', providerRequestId: 'req_final' });
    expect(retries.map((r) => r.status)).toEqual([429, 529]);
    expect(s.requests[1]!.at - s.requests[0]!.at).toBeGreaterThanOrEqual(995);
  });

  it('does not retry a 400 and captures the request-id', async () => {
    const s = await serve(() => anthropicErrorReply(400, 'messages: roles must alternate', { requestId: 'req_ant_400' }));
    const err = await model(s).generate(ask).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ provider: 'anthropic', status: 400, requestId: 'req_ant_400', retryable: false });
    expect(s.requests).toHaveLength(1);
  });

  it('times out a hung connection, retries, and gives up with ModelError when it keeps hanging', async () => {
    const s = await serve(() => ({ hang: true }));
    const retries: RetryInfo[] = [];
    const err = await model(s, { timeoutMs: 200, maxRetries: 2 }).generate(ask, { onRetry: (i) => retries.push(i) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).retryable).toBe(true);
    expect(s.requests).toHaveLength(3);
    expect(retries).toHaveLength(2);
  });
});

describe('anthropic streaming', () => {
  it('streams text deltas, assembles tool input from input_json_delta, reports usage', async () => {
    const s = await serve(() =>
      anthropicSseReply(
        messageEvents([{ text: 'Let me look that up.' }, { toolUse: { id: 'toolu_s', name: 'get_order', input: { order_id: '1042', verbose: true } } }], {
          chunks: 4,
          usage: { input: 33, output: 17 },
        }),
        { requestId: 'req_stream_ant' },
      ),
    );
    const events = await collect(model(s).stream({ ...ask, tools: [getOrder.spec] }));
    expect(s.requests[0]!.body.stream).toBe(true);
    const text = events.filter((e) => e.type === 'text-delta').map((e) => (e as { delta: string }).delta);
    expect(text.length).toBeGreaterThan(1);
    expect(text.join('')).toBe('Let me look that up.');
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([
      { type: 'tool-call', call: { id: 'toolu_s', name: 'get_order', arguments: '{"order_id":"1042","verbose":true}' } },
    ]);
    expect(events[events.length - 1]).toEqual({
      type: 'finish',
      response: {
        text: 'Let me look that up.',
        toolCalls: [{ id: 'toolu_s', name: 'get_order', arguments: '{"order_id":"1042","verbose":true}' }],
        usage: { inputTokens: 33, outputTokens: 17 },
        finishReason: 'tool_calls',
        providerRequestId: 'req_stream_ant',
      },
    });
  });

  it('streams structured output as text', async () => {
    const schema = toJsonSchema(z.object({ verdict: z.string() }));
    const s = await serve(() => anthropicSseReply(messageEvents([{ toolUse: { name: 'output', input: { verdict: 'approve' } } }])));
    const events = await collect(model(s).stream({ ...ask, output: { name: 'output', schema, strict: true } }));
    const text = events.filter((e) => e.type === 'text-delta').map((e) => (e as { delta: string }).delta).join('');
    expect(JSON.parse(text)).toEqual({ verdict: 'approve' });
    expect(events.some((e) => e.type === 'tool-call')).toBe(false);
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', response: { text: '{"verdict":"approve"}', finishReason: 'stop' } });
  });

  it('retries an overloaded (529) stream before the first event', async () => {
    const s = await serve(inOrder(anthropicErrorReply(529, 'Overloaded'), anthropicSseReply(messageEvents([{ text: 'ok now' }]))));
    const events = await collect(model(s).stream(ask));
    expect(events[events.length - 1]).toMatchObject({ type: 'finish', response: { text: 'ok now' } });
    expect(s.requests).toHaveLength(2);
  });

  it('an error event mid-stream ends in a ModelError without a retry', async () => {
    const events = messageEvents([{ text: 'partial text goes here' }]);
    const s = await serve(() =>
      anthropicSseReply([...events.slice(0, 4), { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } }]),
    );
    await expect(collect(model(s).stream(ask))).rejects.toBeInstanceOf(ModelError);
    expect(s.requests).toHaveLength(1);
  });
});
