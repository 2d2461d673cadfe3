/** The options every real provider takes (from `createModel` or its constructor). */
import type { RateLimiter } from './http/rate-limit.js';

export interface ModelSpecOptions {
  /** Wins over the provider's *_BASE_URL environment variable. */
  baseUrl?: string;
  /** Wins over the provider's *_API_KEY environment variable. */
  apiKey?: string;
  /** Client-side rate limits. */
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** One limiter shared by several models drawing on the same quota (wins over the two numbers above). */
  rateLimiter?: RateLimiter;
  /** Retries after the first attempt on 429 / 5xx / connection errors / timeouts (default 3). */
  maxRetries?: number;
  /** Per-attempt deadline in ms, and the longest silence inside a stream (default 60 000). */
  timeoutMs?: number;
  /** Backoff: retry n waits random(0, min(retryMaxDelayMs, retryBaseDelayMs * 2^n)) (defaults 500 and 20 000). */
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** The longest Retry-After waited out; a longer one fails the call (default 120 000). */
  maxRetryAfterMs?: number;
  /** Output token cap when a request sets none (Anthropic requires one; default 4096 there). */
  maxOutputTokens?: number;
  /** OpenAI: sent as prompt_cache_key, so requests sharing a prefix land on the same cache. */
  promptCacheKey?: string;
  /**
   * Anthropic: cache_control breakpoints on the stable prefix (system prompt, tools and the
   * `messages` earliest messages, default 1). On by default; false turns it off.
   */
  promptCache?: boolean | { messages?: number };
}
