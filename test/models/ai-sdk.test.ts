/**
 * fromAiSdk: the AI SDK's own mock model (ai/test), and the real
 * @ai-sdk/openai and @ai-sdk/anthropic providers pointed at the local
 * wire-format servers.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModelV3CallOptions, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { convertArrayToReadableStream, MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { example } from '../../examples/vend/order-support.js';
import { ORDERS } from '../../examples/vend/data/orders.js';
import { RunAborted } from '../../src/core/errors.js';
import { file, image } from '../../src/core/messages.js';
import type { ModelRequest, StreamEvent } from '../../src/core/model.js';
import { costOf, setPrice } from '../../src/core/pricing.js';
import { Agent, run, tool } from '../../src/index.js';
import { fromAiSdk } from '../../src/models/ai-sdk.js';
import { anthropicJsonReply, anthropicOrderSupportResponder, messageObject } from '../support/wire/anthropic-messages.js';
import { errorReply, jsonReply, orderSupportResponder, responseEvents, responseObject, sseReply } from '../support/wire/openai-responses.js';
import { inOrder, wireServerPerTest } from '../support/wire/server.js';
import { collect } from '../support/collect.js';

const serve = wireServerPerTest();
const order = ORDERS.get('1042')!;
const expectedAnswer = `Order 1042 is ${order.status} with ${order.carrier}, arriving ${order.eta}.`;

const usage = (input: number, output: number, extra: { cacheRead?: number; cacheWrite?: number; reasoning?: number } = {}) => ({
  inputTokens: { total: input, noCache: input - (extra.cacheRead ?? 0) - (extra.cacheWrite ?? 0), cacheRead: extra.cacheRead, cacheWrite: extra.cacheWrite },
  outputTokens: { total: output, text: output - (extra.reasoning ?? 0), reasoning: extra.reasoning },
});
const stop = { unified: 'stop' as const, raw: 'stop' };


const getOrder = tool({
  name: 'get_order',
  description: 'Fetch an order by id.',
  input: z.object({ order_id: z.string() }),
  execute: ({ order_id }) => ({ order_id, status: 'shipped' }),
});

describe('fromAiSdk with the AI SDK mock model (ai/test)', () => {
  it('a tool loop: the call, its result back as a tool-result part, the final answer; usage with cached and reasoning tokens, priced', async () => {
    const mock = new MockLanguageModelV3({
      provider: 'mockco.chat',
      modelId: 'mock-1',
      doGenerate: [
        {
          content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'get_order', input: '{"order_id":"1042"}' }],
          finishReason: { unified: 'tool-calls', raw: 'tool_use' },
          usage: usage(100, 10, { cacheRead: 80 }),
          warnings: [],
          response: { id: 'resp_1', headers: { 'x-request-id': 'req_mock_1' } },
        },
        {
          content: [{ type: 'reasoning', text: 'The tool says shipped.' }, { type: 'text', text: 'It shipped.' }],
          finishReason: stop,
          usage: usage(120, 20, { cacheRead: 100, cacheWrite: 10, reasoning: 5 }),
          warnings: [],
        },
      ],
    });
    setPrice('mockco:mock-1', { inputPerMTok: 10, outputPerMTok: 20, cacheReadPerMTok: 1, cacheWritePerMTok: 12.5 });
    const agent = new Agent({ name: 'support', instructions: 'Be brief.', model: fromAiSdk(mock), tools: [getOrder] });
    const result = await run(agent, 'Where is order 1042?', { budget: { maxCostUsd: 1 } });

    expect(result.output.text).toBe('It shipped.');
    const second = mock.doGenerateCalls[1]!;
    expect(second.prompt[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(second.prompt.at(-2)).toEqual({ role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'get_order', input: { order_id: '1042' } }] });
    expect(second.prompt.at(-1)).toEqual({
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'get_order', output: { type: 'text', value: '{"order_id":"1042","status":"shipped"}' } }],
    });
    expect(second.tools).toEqual([expect.objectContaining({ type: 'function', name: 'get_order', inputSchema: getOrder.spec.parameters })]);

    const spans = result.trace.filter((s) => s.kind === 'model');
    expect(spans.map((s) => s.attributes.usage)).toEqual([
      { inputTokens: 100, outputTokens: 10, cacheReadTokens: 80 },
      { inputTokens: 120, outputTokens: 20, cacheReadTokens: 100, cacheWriteTokens: 10, reasoningTokens: 5 },
    ]);
    expect(spans[0]!.attributes.providerRequestId).toBe('req_mock_1');
    expect(spans[1]!.attributes.providerRequestId).toBeUndefined();
    // (20 uncached × 10 + 80 cached × 1 + 10 × 20 out) + (10 × 10 + 100 × 1 + 10 × 12.5 + 20 × 20), per million.
    expect(result.usage.costUsd).toBeCloseTo((200 + 80 + 200 + 100 + 100 + 125 + 400) / 1e6, 12);
  });

  it('structured output: the schema as responseFormat json, the JSON text parsed by the agent', async () => {
    const mock = new MockLanguageModelV3({
      doGenerate: { content: [{ type: 'text', text: '{"verdict":"approve"}' }], finishReason: stop, usage: usage(10, 5), warnings: [] },
    });
    const agent = new Agent({ name: 'judge', instructions: 'Judge.', model: fromAiSdk(mock), output: z.object({ verdict: z.enum(['approve', 'reject']) }) });
    const result = await run(agent, 'Refund 20 EUR?');
    expect(result.output.output).toEqual({ verdict: 'approve' });
    expect(mock.doGenerateCalls[0]!.responseFormat).toMatchObject({ type: 'json', name: 'output', schema: { type: 'object', required: ['verdict'] } });
  });

  it('a stream: text, reasoning and tool calls as they come, then usage and the finish reason', async () => {
    const parts: LanguageModelV3StreamPart[] = [
      { type: 'stream-start', warnings: [] },
      { type: 'response-metadata', id: 'resp_9' },
      { type: 'reasoning-start', id: 'r' },
      { type: 'reasoning-delta', id: 'r', delta: 'Think' },
      { type: 'reasoning-delta', id: 'r', delta: 'ing.' },
      { type: 'reasoning-end', id: 'r' },
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'Look' },
      { type: 'text-delta', id: 't', delta: 'ing up.' },
      { type: 'text-end', id: 't' },
      { type: 'tool-input-start', id: 'c1', toolName: 'get_order' },
      { type: 'tool-input-delta', id: 'c1', delta: '{"order_id":' },
      { type: 'tool-input-delta', id: 'c1', delta: '"1042"}' },
      { type: 'tool-input-end', id: 'c1' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'get_order', input: '{"order_id":"1042"}' },
      { type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage: usage(50, 12, { cacheRead: 40, reasoning: 4 }) },
    ];
    const mock = new MockLanguageModelV3({ doStream: { stream: convertArrayToReadableStream(parts) } });
    const events = await collect(fromAiSdk(mock).stream({ messages: [{ role: 'user', content: 'Where is 1042?' }] }));
    expect(events).toEqual([
      { type: 'reasoning-delta', delta: 'Think' },
      { type: 'reasoning-delta', delta: 'ing.' },
      { type: 'text-delta', delta: 'Look' },
      { type: 'text-delta', delta: 'ing up.' },
      { type: 'tool-call', call: { id: 'c1', name: 'get_order', arguments: '{"order_id":"1042"}' } },
      {
        type: 'finish',
        response: {
          text: 'Looking up.',
          reasoning: 'Thinking.',
          toolCalls: [{ id: 'c1', name: 'get_order', arguments: '{"order_id":"1042"}' }],
          usage: { inputTokens: 50, outputTokens: 12, cacheReadTokens: 40, reasoningTokens: 4 },
          finishReason: 'tool_calls',
          providerRequestId: 'resp_9',
        },
      },
    ]);
  });

  it('an abort: the run signal reaches doGenerate as abortSignal and the run fails with RunAborted at once', async () => {
    let seen: AbortSignal | undefined;
    const mock = new MockLanguageModelV3({
      doGenerate: (o: LanguageModelV3CallOptions) =>
        new Promise((_resolve, reject) => {
          seen = o.abortSignal;
          o.abortSignal?.addEventListener('abort', () => reject(o.abortSignal!.reason), { once: true });
        }),
    });
    const controller = new AbortController();
    const pending = run(new Agent({ name: 'a', instructions: 'x', model: fromAiSdk(mock) }), 'go', { signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen?.aborted).toBe(false);
    controller.abort('user cancelled');
    const err = await pending;
    expect(err).toBeInstanceOf(RunAborted);
    expect(seen?.aborted).toBe(true);
    expect(mock.doGenerateCalls).toHaveLength(1);
  });

  it('images and files become AI SDK file parts; images in tool results become image-data', async () => {
    const mock = new MockLanguageModelV3({ doGenerate: { content: [{ type: 'text', text: 'ok' }], finishReason: stop, usage: usage(1, 1), warnings: [] } });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const request: ModelRequest = {
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }, image(png), file('https://example.test/spec.pdf', 'application/pdf')] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'snapshot', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', toolName: 'snapshot', content: [image(png)] },
      ],
    };
    await fromAiSdk(mock).generate(request);
    const prompt = mock.doGenerateCalls[0]!.prompt;
    expect(prompt[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'file', mediaType: 'image/png', data: Buffer.from(png).toString('base64') },
        { type: 'file', mediaType: 'application/pdf', data: new URL('https://example.test/spec.pdf') },
      ],
    });
    expect((prompt[2] as any).content[0].output).toEqual({ type: 'content', value: [{ type: 'image-data', mediaType: 'image/png', data: Buffer.from(png).toString('base64') }] });
  });
});

describe('fromAiSdk with a LanguageModelV2 (the 2.x packages)', () => {
  it('reads V2 usage (flat, cachedInputTokens) and finish reasons (plain strings), and sends tool-result media as V2 media parts', async () => {
    const calls: any[] = [];
    const v2 = {
      specificationVersion: 'v2' as const,
      provider: 'legacy.chat',
      modelId: 'legacy-1',
      supportedUrls: {},
      async doGenerate(o: any) {
        calls.push(o);
        return {
          content: [{ type: 'text', text: 'ok' }],
          finishReason: 'stop',
          usage: { inputTokens: 40, outputTokens: 8, totalTokens: 48, cachedInputTokens: 32, reasoningTokens: 3 },
          warnings: [],
        };
      },
      async doStream(): Promise<never> {
        throw new Error('unused');
      },
    };
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const res = await fromAiSdk(v2 as any).generate({
      messages: [
        { role: 'user', content: 'look' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'snap', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', toolName: 'snap', content: [image(png)] },
      ],
    });
    expect(res).toMatchObject({ text: 'ok', finishReason: 'stop', usage: { inputTokens: 40, outputTokens: 8, cacheReadTokens: 32, reasoningTokens: 3 } });
    expect(calls[0].prompt[2].content[0].output).toEqual({ type: 'content', value: [{ type: 'media', mediaType: 'image/png', data: Buffer.from(png).toString('base64') }] });
  });
});

describe('fromAiSdk with @ai-sdk/openai and @ai-sdk/anthropic against the wire servers', () => {
  it('@ai-sdk/openai (Responses): the order-support tool loop, generate and stream', async () => {
    for (const streamed of [false, true]) {
      const server = await serve(orderSupportResponder);
      const openai = createOpenAI({ baseURL: `${server.origin}/v1`, apiKey: 'sk-ai-sdk' });
      const model = fromAiSdk(openai.responses('gpt-4o'));
      const out = await example.run('Where is order 1042?', { model: streamed ? streamingOnly(model) : model });
      expect(out.answer).toBe(expectedAnswer);
      expect(server.requests).toHaveLength(2);
      expect(server.requests[0]!.path).toBe('/v1/responses');
      expect(Boolean(server.requests[0]!.body.stream)).toBe(streamed);
      expect(server.requests[1]!.body.input).toContainEqual(expect.objectContaining({ type: 'function_call_output' }));
      await server.close();
    }
  });

  it('@ai-sdk/openai: usage with cached and reasoning tokens, reasoning summary deltas, the request id', async () => {
    const server = await serve(() =>
      sseReply(responseEvents([{ text: 'Shipped.' }], { usage: { input: 1000, output: 50, cached: 800, reasoning: 30 }, reasoningSummary: 'Checked the order.' }), { requestId: 'req_sdk_1' }),
    );
    const model = fromAiSdk(createOpenAI({ baseURL: `${server.origin}/v1`, apiKey: 'sk' }).responses('gpt-5'));
    const events = await collect(model.stream({ messages: [{ role: 'user', content: 'Status?' }], reasoningEffort: 'low' }));
    expect(events.filter((e) => e.type === 'reasoning-delta').map((e) => (e as { delta: string }).delta).join('')).toBe('Checked the order.');
    const finish = events.at(-1) as Extract<StreamEvent, { type: 'finish' }>;
    expect(finish.response).toMatchObject({ text: 'Shipped.', reasoning: 'Checked the order.', usage: { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 800, reasoningTokens: 30 }, providerRequestId: 'req_sdk_1' });
    expect(server.requests[0]!.body.reasoning).toMatchObject({ effort: 'low', summary: 'auto' });
    // gpt-5: 200 uncached × 1.25 + 800 cached × 0.125 + 50 × 10, per million.
    expect(costOf({ inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.125 }, finish.response.usage)).toBeCloseTo((250 + 100 + 500) / 1e6, 12);
  });

  it('@ai-sdk/openai: a structured output reaches the Responses API as a json_schema format', async () => {
    const server = await serve(() => jsonReply(responseObject([{ text: '{"verdict":"reject"}' }])));
    const model = fromAiSdk(createOpenAI({ baseURL: `${server.origin}/v1`, apiKey: 'sk' }).responses('gpt-4o'));
    const agent = new Agent({ name: 'judge', instructions: 'Judge.', model, output: z.object({ verdict: z.enum(['approve', 'reject']) }) });
    expect((await run(agent, 'Refund?')).output.output).toEqual({ verdict: 'reject' });
    expect(server.requests[0]!.body.text.format).toMatchObject({ type: 'json_schema', name: 'output', schema: { required: ['verdict'] } });
  });

  it('@ai-sdk/openai: a 503 is retried by our policy (the AI SDK model does not retry), and a 400 is not', async () => {
    const server = await serve(inOrder(errorReply(503, 'overloaded'), jsonReply(responseObject([{ text: 'ok' }])), errorReply(400, 'bad request')));
    const retries: number[] = [];
    const model = fromAiSdk(createOpenAI({ baseURL: `${server.origin}/v1`, apiKey: 'sk' }).responses('gpt-4o'), { retryBaseDelayMs: 1 });
    const res = await model.generate({ messages: [{ role: 'user', content: 'hi' }] }, { onRetry: (i) => retries.push(i.status ?? 0) });
    expect(res.text).toBe('ok');
    expect(retries).toEqual([503]);
    await expect(model.generate({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 400, retryable: false });
    expect(server.requests).toHaveLength(3);
  });

  it('@ai-sdk/anthropic (Messages): the order-support tool loop, and usage with cache reads and writes', async () => {
    const server = await serve(anthropicOrderSupportResponder);
    const anthropic = createAnthropic({ baseURL: `${server.origin}/v1`, apiKey: 'sk-ant-ai-sdk' });
    const out = await example.run('Where is order 1042?', { model: fromAiSdk(anthropic('claude-sonnet-5-5')) });
    expect(out.answer).toBe(expectedAnswer);
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/messages', '/v1/messages']);

    const cached = await serve(() => anthropicJsonReply(messageObject([{ text: 'ok' }], { usage: { input: 10, output: 5, cacheRead: 300, cacheWrite: 40 } }), 'req_ant_9'));
    const res = await fromAiSdk(createAnthropic({ baseURL: `${cached.origin}/v1`, apiKey: 'sk' })('claude-sonnet-5-5')).generate({ messages: [{ role: 'user', content: 'hi' }] });
    expect(res.usage).toEqual({ inputTokens: 350, outputTokens: 5, cacheReadTokens: 300, cacheWriteTokens: 40 });
    expect(res.providerRequestId).toBe('req_ant_9');
  });
});

/** The same model, its generate answered by consuming its stream (so a pattern's run goes through stream()). */
function streamingOnly(model: ReturnType<typeof fromAiSdk>): ReturnType<typeof fromAiSdk> {
  return {
    provider: model.provider,
    modelId: model.modelId,
    stream: (r, o) => model.stream(r, o),
    async generate(r, o) {
      for await (const e of model.stream(r, o)) if (e.type === 'finish') return e.response;
      throw new Error('no finish event');
    },
  };
}
