/**
 * USD per million tokens, by "provider:model" or by model name. Costs feed
 * the budget's cost cap. Cached input is priced at the model's cache rates,
 * reasoning tokens as output. A model missing from the table has no price:
 * `costOf` counts it as 0, and a run with an explicit `maxCostUsd` refuses to
 * call it (callModel) until `setPrice` gives it one. The scripted model is
 * free by definition.
 */
import type { Model, ModelResponse, Usage } from './model.js';

export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
  /** Cached input read (default: inputPerMTok). */
  cacheReadPerMTok?: number;
  /** Input written to the cache (default: inputPerMTok). */
  cacheWritePerMTok?: number;
  /** The day the figures were checked against the provider's price page (YYYY-MM-DD). */
  asOf?: string;
}

// Anthropic: cache reads 0.1x input, 5-minute cache writes 1.25x. OpenAI: cached input as listed, no write charge.
const anthropic = (input: number, output: number, asOf: string): Price => ({
  inputPerMTok: input, outputPerMTok: output, cacheReadPerMTok: input / 10, cacheWritePerMTok: input * 1.25, asOf,
});
const openai = (input: number, cachedInput: number, output: number, asOf: string): Price => ({
  inputPerMTok: input, outputPerMTok: output, cacheReadPerMTok: cachedInput, cacheWritePerMTok: input, asOf,
});

// The dates say when each figure was last taken from the provider's price page. The 5.x Claude
// family is listed at its tier's 4.5 prices (opus 5/25, sonnet 3/15, haiku 1/5) pending a check
// against the live page, which this offline build could not reach.
const K = '2025-11-24';
const UNCHECKED = '2026-12-01';

const table = new Map<string, Price>(
  Object.entries({
    'gpt-5.1': openai(1.25, 0.125, 10, K),
    'gpt-5': openai(1.25, 0.125, 10, K),
    'gpt-5-mini': openai(0.25, 0.025, 2, K),
    'gpt-5-nano': openai(0.05, 0.005, 0.4, K),
    'gpt-4.1': openai(2, 0.5, 8, K),
    'gpt-4.1-mini': openai(0.4, 0.1, 1.6, K),
    'gpt-4.1-nano': openai(0.1, 0.025, 0.4, K),
    'gpt-4o': openai(2.5, 1.25, 10, K),
    'gpt-4o-mini': openai(0.15, 0.075, 0.6, K),
    'o3': openai(2, 0.5, 8, K),
    'o4-mini': openai(1.1, 0.275, 4.4, K),
    'claude-opus-5-5': anthropic(5, 25, UNCHECKED),
    'claude-sonnet-5-5': anthropic(3, 15, UNCHECKED),
    'claude-haiku-5-5': anthropic(1, 5, UNCHECKED),
    'claude-opus-4-5': anthropic(5, 25, K),
    'claude-sonnet-4-6': anthropic(3, 15, UNCHECKED),
    'claude-sonnet-4-5': anthropic(3, 15, K),
    'claude-haiku-4-5': anthropic(1, 5, K),
    'claude-opus-4-1': anthropic(15, 75, K),
    'claude-3-5-haiku-latest': anthropic(0.8, 4, K),
  }),
);

const FREE: Price = Object.freeze({ inputPerMTok: 0, outputPerMTok: 0 });

export function setPrice(model: string, price: Price): void {
  table.set(model, price);
  resolved.clear();
}

// callModel asks on every turn: the answer per provider and model is kept
// (no key string built per call), and forgotten whenever a price changes.
const resolved = new Map<string, Map<string, Price | null>>();

export function priceOf(provider: string, modelId: string): Price | undefined {
  if (provider === 'scripted') return FREE;
  let byModel = resolved.get(provider);
  if (!byModel) resolved.set(provider, (byModel = new Map()));
  let price = byModel.get(modelId);
  if (price === undefined) {
    price = table.get(`${provider}:${modelId}`) ?? table.get(modelId) ?? null;
    if (byModel.size < 1024) byModel.set(modelId, price);
  }
  return price ?? undefined;
}

/** USD for one call: uncached input, cache reads and cache writes each at their rate, output (reasoning included) at the output rate. */
export function costOf(price: Price | undefined, usage: Usage): number {
  if (!price) return 0;
  const read = usage.cacheReadTokens ?? 0;
  const write = usage.cacheWriteTokens ?? 0;
  const uncached = Math.max(0, usage.inputTokens - read - write);
  return (
    uncached * price.inputPerMTok +
    read * (price.cacheReadPerMTok ?? price.inputPerMTok) +
    write * (price.cacheWritePerMTok ?? price.inputPerMTok) +
    usage.outputTokens * price.outputPerMTok
  ) / 1e6;
}

/** What a response cost, priced as the model that served it (a fallback's chosen member). */
export function costOfResponse(model: Pick<Model, 'provider' | 'modelId'>, response: ModelResponse): number {
  const served = response.route?.servedBy ?? model;
  return costOf(priceOf(served.provider, served.modelId), response.usage);
}
