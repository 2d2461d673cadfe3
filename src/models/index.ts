/**
 * agent-patterns/models — providers and what goes with them: building a model
 * from "provider:model", any AI SDK model, fallback chains, content parts
 * (images, documents), usage and prices. Each provider is also its own
 * subpath (`/models/openai` …).
 */
export { createModel, parseModelSpec, PROVIDERS, type ModelSpecOptions, type ProviderName } from './registry.js';
// fromAiSdk is its own subpath, agent-patterns/models/ai-sdk: its types name @ai-sdk/provider, an optional peer.
export { fallback, isTransient, type FallbackOptions } from './fallback.js';
export { RateLimiter, type RateLimits } from './http/rate-limit.js';
export { image, file, textOf, guessMediaType, type Content, type ContentPart, type TextPart, type MediaPart } from '../core/messages.js';
export type { Usage, ReasoningEffort, ModelRoute } from '../core/model.js';
export { setPrice, priceOf, costOf, type Price } from '../core/pricing.js';
export { UnsupportedContent } from '../core/errors.js';
