/**
 * model.stream() on every provider carries what a run's stream will need:
 * text deltas, reasoning deltas, whole tool calls, and a finish with usage
 * (cached and reasoning tokens apart), the finish reason and the request id.
 * Also the request side of reasoning: effort, summaries, prompt_cache_key.
 */
import { describe, expect, it } from 'vitest';
import type { ModelRequest, StreamEvent } from '../../src/core/model.js';
import { AnthropicModel } from '../../src/models/anthropic.js';
import { OpenAICompatibleModel } from '../../src/models/openai-compatible.js';
import { OpenAIResponsesModel } from '../../src/models/openai.js';
import { anthropicJsonReply, anthropicSseReply, messageEvents, messageObject } from '../support/wire/anthropic-messages.js';
import { chatSseReply, chunkEvents } from '../support/wire/chat-completions.js';
import { jsonReply, responseEvents, responseObject, sseReply } from '../support/wire/openai-responses.js';
import { wireServerPerTest } from '../support/wire/server.js';
import { collect } from '../support/collect.js';

const serve = wireServerPerTest();
const ask: ModelRequest = { messages: [{ role: 'user', content: 'Where is order 1042?' }], reasoningEffort: 'high' };

const deltas = (events: StreamEvent[], type: 'text-delta' | 'reasoning-delta') =>
  events.filter((e) => e.type === type).map((e) => (e as { delta: string }).delta).join('');
const finishOf = (events: StreamEvent[]) => (events.at(-1) as Extract<StreamEvent, { type: 'finish' }>).response;

describe('provider streams', () => {
  it('openai: reasoning summary deltas before the text, usage with cached and reasoning tokens; effort, summary and prompt_cache_key sent', async () => {
    const s = await serve(() =>
      sseReply(
        responseEvents([{ text: 'Shipped.' }, { call: { name: 'get_order', arguments: '{"order_id":"1042"}', callId: 'call_7' } }], {
          usage: { input: 900, output: 60, cached: 512, reasoning: 40 },
          reasoningSummary: 'Need the order first.',
        }),
        { requestId: 'req_s1' },
      ),
    );
    const model = new OpenAIResponsesModel('gpt-5', { baseUrl: `${s.origin}/v1`, apiKey: 'sk', promptCacheKey: 'support-v1' });
    const events = await collect(model.stream(ask));
    expect(events.findIndex((e) => e.type === 'reasoning-delta')).toBeLessThan(events.findIndex((e) => e.type === 'text-delta'));
    expect(deltas(events, 'reasoning-delta')).toBe('Need the order first.');
    expect(deltas(events, 'text-delta')).toBe('Shipped.');
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([{ type: 'tool-call', call: { id: 'call_7', name: 'get_order', arguments: '{"order_id":"1042"}' } }]);
    expect(finishOf(events)).toEqual({
      text: 'Shipped.',
      reasoning: 'Need the order first.',
      toolCalls: [{ id: 'call_7', name: 'get_order', arguments: '{"order_id":"1042"}' }],
      usage: { inputTokens: 900, outputTokens: 60, cacheReadTokens: 512, reasoningTokens: 40 },
      finishReason: 'tool_calls',
      providerRequestId: 'req_s1',
    });
    expect(s.requests[0]!.body).toMatchObject({ reasoning: { effort: 'high', summary: 'auto' }, prompt_cache_key: 'support-v1', stream: true });
  });

  it('openai generate: the reasoning summary and the usage details from the response object', async () => {
    const s = await serve(() => jsonReply(responseObject([{ text: 'ok' }], { usage: { input: 100, output: 30, cached: 64, reasoning: 20 } })));
    const res = await new OpenAIResponsesModel('gpt-5', { baseUrl: `${s.origin}/v1`, apiKey: 'sk' }).generate({ messages: [{ role: 'user', content: 'hi' }] });
    expect(res.usage).toEqual({ inputTokens: 100, outputTokens: 30, cacheReadTokens: 64, reasoningTokens: 20 });
    expect(s.requests[0]!.body.reasoning).toBeUndefined(); // no effort asked, none sent (non-reasoning models reject it)
  });

  it('anthropic: thinking deltas as reasoning deltas, cache reads and writes apart, output_config.effort sent', async () => {
    const s = await serve(() =>
      anthropicSseReply(messageEvents([{ thinking: 'Look it up.' }, { text: 'Shipped.' }], { usage: { input: 20, output: 30, cacheRead: 700, cacheWrite: 100 } }), { requestId: 'req_a1' }),
    );
    const model = new AnthropicModel('claude-sonnet-5-5', { baseUrl: s.origin, apiKey: 'sk-ant' });
    const events = await collect(model.stream(ask));
    expect(deltas(events, 'reasoning-delta')).toBe('Look it up.');
    expect(deltas(events, 'text-delta')).toBe('Shipped.');
    expect(finishOf(events)).toEqual({
      text: 'Shipped.',
      reasoning: 'Look it up.',
      toolCalls: [],
      usage: { inputTokens: 820, outputTokens: 30, cacheReadTokens: 700, cacheWriteTokens: 100 },
      finishReason: 'stop',
      providerRequestId: 'req_a1',
    });
    expect(s.requests[0]!.body.output_config).toEqual({ effort: 'high' });
  });

  it('anthropic generate: thinking blocks become the reasoning, the text stays the answer', async () => {
    const s = await serve(() => anthropicJsonReply(messageObject([{ thinking: 'Check the carrier.' }, { text: 'With DHL.' }])));
    const res = await new AnthropicModel('claude-sonnet-5-5', { baseUrl: s.origin, apiKey: 'sk-ant' }).generate({ messages: [{ role: 'user', content: 'hi' }] });
    expect(res).toMatchObject({ text: 'With DHL.', reasoning: 'Check the carrier.' });
  });

  it('openai-compatible: reasoning_content deltas, usage with cached and reasoning tokens, reasoning_effort sent', async () => {
    const s = await serve(() =>
      chatSseReply(chunkEvents({ reasoning: 'Think first.', text: 'Shipped.', usage: { prompt: 300, completion: 40, cached: 256, reasoning: 12 } }), { requestId: 'req_c1' }),
    );
    const model = new OpenAICompatibleModel('qwen3', { baseUrl: `${s.origin}/v1` });
    const events = await collect(model.stream(ask));
    expect(deltas(events, 'reasoning-delta')).toBe('Think first.');
    expect(finishOf(events)).toEqual({
      text: 'Shipped.',
      reasoning: 'Think first.',
      toolCalls: [],
      usage: { inputTokens: 300, outputTokens: 40, cacheReadTokens: 256, reasoningTokens: 12 },
      finishReason: 'stop',
      providerRequestId: 'req_c1',
    });
    expect(s.requests[0]!.body).toMatchObject({ reasoning_effort: 'high', stream: true, stream_options: { include_usage: true } });
  });
});
