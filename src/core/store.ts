/**
 * Durable state behind a run. The full contract (runs, checkpoints,
 * approvals, idempotency, decisions) lives in src/store/types.ts; the core
 * only needs to know that a run may carry one.
 */
export type { Store } from '../store/types.js';
