/** agent-patterns/hitl — human approvals (pattern 11): durable pending state, reviewers, timeouts, the audit log. */
export { StoreApprovalGate, type StoreApprovalGateOptions } from './store-gate.js';
export { DemoApprovals, demoApprovals, DEMO_REVIEWER, type DemoApprovalsOptions } from './demo-gate.js';
export { decideApproval, type DecisionInput } from './decide.js';
export { sweepApprovals, type SweepAction } from './sweep.js';
export { withApprovalContext, decisionFor, type ApprovalContext, type HumanDecision, type DecisionSource } from './evidence.js';
export { ReviewerMismatch } from './errors.js';
