/** Token counting and context windows: the real tokenizer for OpenAI families, the documented estimate otherwise. */
import { encode as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { contextWindowOf, counterFor, estimateCounter, requestTokens, setContextWindow } from '../../src/sessions/index.js';

const text = 'Where is order 1042? It was supposed to arrive on Tuesday — 你好.';

describe('token counting', () => {
  it('OpenAI families use gpt-tokenizer with their encoding; other models the estimate', async () => {
    expect((await counterFor({ modelId: 'gpt-4o-mini' })).method).toBe('gpt-tokenizer/o200k_base');
    expect((await counterFor({ modelId: 'o3-mini' })).method).toBe('gpt-tokenizer/o200k_base');
    expect((await counterFor({ modelId: 'gpt-4' })).method).toBe('gpt-tokenizer/cl100k_base');
    expect((await counterFor({ modelId: 'gpt-3.5-turbo' })).method).toBe('gpt-tokenizer/cl100k_base');
    expect((await counterFor({ modelId: 'gpt-4o-mini' })).text(text)).toBe(o200k(text).length);
    expect((await counterFor({ modelId: 'gpt-4' })).text(text)).toBe(cl100k(text).length);
    expect(await counterFor({ modelId: 'claude-sonnet-4-20250514' })).toBe(estimateCounter);
    expect(estimateCounter.text('x'.repeat(10))).toBe(4); // ceil(10 / 3)
  });

  it('the estimate is not below the real count for ordinary English', async () => {
    const real = await counterFor({ modelId: 'gpt-4o' });
    const english = 'Thank you for your patience. Your order left our warehouse on Tuesday and DHL expects to deliver it on Friday. '.repeat(20);
    expect(estimateCounter.text(english)).toBeGreaterThanOrEqual(real.text(english));
  });

  it('a request counts its messages, tool calls, tool definitions and media parts', () => {
    const base = requestTokens(estimateCounter, { messages: [{ role: 'user', content: 'hi' }] });
    const withImage = requestTokens(estimateCounter, { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', mediaType: 'image/png', url: 'https://x/y.png' }] }] });
    expect(withImage - base).toBe(1000);
    const withTools = requestTokens(estimateCounter, { messages: [{ role: 'user', content: 'hi' }], tools: [{ name: 'get_order', description: 'Fetch an order.', parameters: { type: 'object' }, strict: true }] });
    expect(withTools).toBeGreaterThan(base);
  });
});

describe('context windows', () => {
  it('known models by id or family prefix; settable; unknown models have none', () => {
    expect(contextWindowOf({ modelId: 'gpt-4o' })).toBe(128_000);
    expect(contextWindowOf({ modelId: 'gpt-4o-2024-08-06' })).toBe(128_000);
    expect(contextWindowOf({ modelId: 'gpt-4.1-mini-2025-04-14' })).toBe(1_047_576);
    expect(contextWindowOf({ modelId: 'claude-sonnet-4-20250514' })).toBe(200_000);
    expect(contextWindowOf({ modelId: 'my-local-llama' })).toBeUndefined();
    setContextWindow('my-local-llama', 8192);
    expect(contextWindowOf({ modelId: 'my-local-llama' })).toBe(8192);
    expect(() => setContextWindow('x', 0)).toThrow(ConfigError);
  });
});
