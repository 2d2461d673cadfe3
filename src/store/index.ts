/**
 * agent-patterns/store — opening a store and what it holds. The backends are their own subpaths
 * (`/sqlite`, `/postgres`); openStore() loads the one a target names.
 */
export type { Store } from './types.js';
export type {
  RunStatus, RunRecord, RunLease, ApprovalStatus, ApprovalRecord, ApprovalDecision, ApprovalReassignment, AuditEntry, DecisionRecord, DecisionMeta,
  DeadLetter, InboxEntry,
} from './types.js';
export { openStore, isPostgresUrl, STORE_ENV } from './open.js';
export { StoreError, ApprovalNotFound, ApprovalAlreadyDecided, ApprovalExists, ApprovalChanged, ApprovalNotUsable } from './errors.js';
export { StoreTraceSink, type StoreTraceSinkOptions } from './trace-sink.js';
