/** agent-patterns/durable — runs that checkpoint every call and resume after a crash without repeating a side effect. */
export { durableRun, resumeRun, type DurableOptions, type ResumeOptions, type DurableResult, type DurableState } from './run.js';
export { WorkflowRegistry, defineWorkflow, type WorkflowDefinition } from './registry.js';
export { ResumeError, ReplayDivergence, LeaseLost, type ResumeProblem } from './errors.js';
export { DEFAULT_LEASE_MS, type LeaseOptions } from './lease.js';
export { recordEffect, EFFECTS_NAMESPACE, type Reconciler, type StartedCall } from './reconcile.js';
export { DurableJournal } from './journal.js';
