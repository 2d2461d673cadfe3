/**
 * agent-patterns/events — event-driven agents (pattern 15): `consume()` and the in-memory source.
 * The webhook and Redis Streams sources are their own subpaths (`/events/webhook`, `/events/redis`),
 * so importing this one needs neither node:http nor ioredis.
 */
export {
  consume, type Consumer, type ConsumeOptions, type ConsumeStats, type EventDecision, type EventHandler, type EventStore, type BackoffOptions,
} from './consume.js';
export { SourceUnavailable, type Delivery, type EventSource } from './source.js';
export { memorySource, type MemorySource } from './memory.js';
export { inboxSource, type InboxSource, type InboxOptions, type InboxStore } from './inbox.js';
