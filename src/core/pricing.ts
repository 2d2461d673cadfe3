/**
 * USD per million tokens, by "provider:model" or by model name. Costs feed
 * the budget's cost cap; a model missing from the table costs 0 (the cap
 * then only binds through the token caps), and `setPrice` adds or overrides.
 */
import type { Usage } from './model.js';

export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
}

const table = new Map<string, Price>(
  Object.entries({
    'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
    'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
    'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
    'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
    'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
    'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
    'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
    'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
    'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 },
    'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75 },
    'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
    'claude-3-5-haiku-latest': { inputPerMTok: 0.8, outputPerMTok: 4 },
  }),
);

export function setPrice(model: string, price: Price): void {
  table.set(model, price);
  resolved.clear();
}

// callModel asks on every turn: the answer per provider and model is kept
// (no key string built per call), and forgotten whenever a price changes.
const resolved = new Map<string, Map<string, Price | null>>();

export function priceOf(provider: string, modelId: string): Price | undefined {
  let byModel = resolved.get(provider);
  if (!byModel) resolved.set(provider, (byModel = new Map()));
  let price = byModel.get(modelId);
  if (price === undefined) {
    price = table.get(`${provider}:${modelId}`) ?? table.get(modelId) ?? null;
    if (byModel.size < 1024) byModel.set(modelId, price);
  }
  return price ?? undefined;
}

export function costOf(price: Price | undefined, usage: Usage): number {
  if (!price) return 0;
  return (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1e6;
}
