import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/core/errors.js';
import type { StreamEvent } from '../../src/core/model.js';
import { setPrice } from '../../src/core/pricing.js';
import { Agent, run } from '../../src/index.js';
import { AnthropicModel } from '../../src/models/anthropic.js';
import { fallback } from '../../src/models/fallback.js';
import { OpenAIResponsesModel } from '../../src/models/openai.js';
import { anthropicJsonReply, anthropicSseReply, messageEvents, messageObject } from '../support/wire/anthropic-messages.js';
import { errorReply, jsonReply, responseEvents, responseObject, sseReply } from '../support/wire/openai-responses.js';
import { inOrder, startWireServer, type WireServer } from '../support/wire/server.js';
import { afterEach } from 'vitest';
import { collect } from '../support/collect.js';

const servers: WireServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function serve(...args: Parameters<typeof startWireServer>): Promise<WireServer> {
  const s = await startWireServer(...args);
  servers.push(s);
  return s;
}

const openai = (s: WireServer, modelId = 'gpt-4o') => new OpenAIResponsesModel(modelId, { baseUrl: `${s.origin}/v1`, apiKey: 'sk', maxRetries: 2, retryBaseDelayMs: 1 });
const claude = (s: WireServer) => new AnthropicModel('claude-sonnet-5-5', { baseUrl: s.origin, apiKey: 'sk-ant', maxRetries: 2, retryBaseDelayMs: 1 });
const ask = { messages: [{ role: 'user' as const, content: 'Where is order 1042?' }] };


describe('fallback', () => {
  it('the first server answers 503 three times, the second answers: one run, charged once for the call that served, both in the trace', async () => {
    const down = await serve(() => errorReply(503, 'overloaded'));
    const up = await serve(() => anthropicJsonReply(messageObject([{ text: 'It shipped.' }], { usage: { input: 1000, output: 100 } }), 'req_up'));
    setPrice('openai:gpt-4o', { inputPerMTok: 1000, outputPerMTok: 1000 }); // would show if the failed model were charged
    const agent = new Agent({ name: 'support', instructions: 'Be brief.', model: fallback([openai(down), claude(up)]) });
    const result = await run(agent, 'Where is order 1042?', { budget: { maxCostUsd: 1 } });

    expect(result.output.text).toBe('It shipped.');
    expect(down.requests).toHaveLength(3); // the first attempt and its two retries
    expect(up.requests).toHaveLength(1);
    expect(result.usage).toMatchObject({ modelTurns: 1, inputTokens: 1000, outputTokens: 100 });
    // claude-sonnet-5-5: 1000 × $3 + 100 × $15 per million; nothing for the failed model.
    expect(result.usage.costUsd).toBeCloseTo((3000 + 1500) / 1e6, 12);
    const spans = result.trace.filter((s) => s.kind === 'model');
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes).toMatchObject({
      provider: 'fallback',
      servedBy: 'anthropic:claude-sonnet-5-5',
      providerRequestId: 'req_up',
      retries: 2,
      fallbacks: [{ provider: 'openai', modelId: 'gpt-4o', error: expect.stringMatching(/503.*after 3 attempts/) }],
    });
    setPrice('openai:gpt-4o', { inputPerMTok: 2.5, outputPerMTok: 10, cacheReadPerMTok: 1.25 });
  });

  it('never on a 400: the request is wrong, another model would not make it right', async () => {
    const bad = await serve(() => errorReply(400, 'invalid schema'));
    const spare = await serve(() => jsonReply(responseObject([{ text: 'unused' }])));
    const err = await fallback([openai(bad), openai(spare)]).generate(ask).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).status).toBe(400);
    expect(spare.requests).toHaveLength(0);
  });

  it('never on a refusal: it is an answer, served by the first model', async () => {
    const first = await serve(() => jsonReply(responseObject([{ refusal: 'I cannot help with that.' }])));
    const spare = await serve(() => jsonReply(responseObject([{ text: 'unused' }])));
    const res = await fallback([openai(first), openai(spare)]).generate(ask);
    expect(res.finishReason).toBe('content_filter');
    expect(res.route).toEqual({ servedBy: { provider: 'openai', modelId: 'gpt-4o' }, skipped: [] });
    expect(spare.requests).toHaveLength(0);
  });

  it('a stream moves on when the first model fails before any event, and the finish names who served', async () => {
    const down = await serve(() => errorReply(429, 'slow down', { headers: { 'retry-after-ms': '1' } }));
    const up = await serve(() => anthropicSseReply(messageEvents([{ text: 'Shipped today.' }])));
    const events = await collect(fallback([openai(down), claude(up)]).stream(ask));
    expect(events.filter((e) => e.type === 'text-delta').map((e) => (e as { delta: string }).delta).join('')).toBe('Shipped today.');
    const finish = events.at(-1) as Extract<StreamEvent, { type: 'finish' }>;
    expect(finish.response.route?.servedBy).toEqual({ provider: 'anthropic', modelId: 'claude-sonnet-5-5' });
    expect(finish.response.route?.skipped).toEqual([{ provider: 'openai', modelId: 'gpt-4o', error: expect.stringContaining('429') }]);
  });

  it('a stream that fails after its first event does not move on: the text already delivered cannot be taken back', async () => {
    const events = responseEvents([{ text: 'Partial answer that never ends' }]);
    const cut = await serve(inOrder(sseReply(events, { hangAfter: 5 })));
    const spare = await serve(() => sseReply(responseEvents([{ text: 'unused' }])));
    const model = new OpenAIResponsesModel('gpt-4o', { baseUrl: `${cut.origin}/v1`, apiKey: 'sk', maxRetries: 0, timeoutMs: 200 });
    const seen: StreamEvent[] = [];
    const err = await (async () => {
      for await (const e of fallback([model, openai(spare)]).stream(ask)) seen.push(e);
    })().catch((e: unknown) => e);
    expect(seen.some((e) => e.type === 'text-delta')).toBe(true);
    expect(err).toBeInstanceOf(ModelError);
    expect(String((err as Error).message)).toMatch(/stream interrupted/);
    expect(spare.requests).toHaveLength(0);
  });

  it('a custom `on` decides which failures move on', async () => {
    const bad = await serve(() => errorReply(404, 'model not found'));
    const spare = await serve(() => jsonReply(responseObject([{ text: 'from the spare' }])));
    const res = await fallback([openai(bad, 'gpt-9'), openai(spare)], { on: (e) => e instanceof ModelError && e.status === 404 }).generate(ask);
    expect(res.text).toBe('from the spare');
    expect(res.route?.skipped).toEqual([{ provider: 'openai', modelId: 'gpt-9', error: expect.stringContaining('404') }]);
  });
});
