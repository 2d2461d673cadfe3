/**
 * agent-patterns/sessions: conversations kept in the store across runs,
 * context policies applied before every model call, and long-term memory.
 * The run options themselves (`session`, `owner`, `context`, …) work from the
 * root entry.
 */
import './run-options.js';

export { SessionBusy, ContextTooLarge } from './errors.js';
export { lastMessages, tokenBudget, summarize, summaryMessage, SUMMARY_INSTRUCTIONS, type SummarizeOptions } from './policies.js';
export type { ContextPolicy, PolicyInput, PolicyOutput, Summary, SummaryMemo } from './policy.js';
export { ContextInterceptor } from './context-interceptor.js';
export { SessionInterceptor, DEFAULT_SESSION_LEASE_MS, type SessionSettings } from './session.js';
export { contextWindowOf, setContextWindow } from './context-window.js';
export { counterFor, estimateCounter, requestTokens, type TokenCounter } from './tokens.js';
export { memoryTools, storeMemory, type MemoryBackend, type MemoryToolsOptions } from './memory.js';
