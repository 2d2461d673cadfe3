/** agent-patterns/models — model specs ("provider:model"), provider options and shared rate limits. Each provider is also its own subpath (`/models/openai` …). */
export { createModel, parseModelSpec, PROVIDERS, type ProviderName, type ModelSpecOptions } from './registry.js';
export { RateLimiter, type RateLimits } from './http/rate-limit.js';
