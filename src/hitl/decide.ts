/**
 * A human decision on a pending approval: only the assigned reviewer, only
 * once, always audited (who, when, what, comment) in the same transaction as
 * the decision. Unknown or already decided approvals are typed errors
 * (ApprovalNotFound, ApprovalAlreadyDecided).
 */
import { ConfigError } from '../core/errors.js';
import { notPendingError } from '../store/errors.js';
import type { ApprovalRecord, Store } from '../store/types.js';
import { ReviewerMismatch } from './errors.js';

export interface DecisionInput {
  decision: 'approve' | 'reject';
  reviewer: string;
  comment?: string;
  /** Epoch ms; default now. */
  at?: number;
}

export async function decideApproval(store: Store, approvalId: string, input: DecisionInput): Promise<ApprovalRecord> {
  const reviewer = input.reviewer?.trim();
  if (!reviewer) throw new ConfigError('reviewer', 'a decision needs the reviewer\'s name');
  const current = await store.getApproval(approvalId);
  if (!current || current.status !== 'pending') throw notPendingError(approvalId, current);
  if (current.reviewer !== reviewer) throw new ReviewerMismatch(approvalId, current.reviewer, reviewer);
  const at = input.at ?? Date.now();
  const status = input.decision === 'approve' ? 'approved' : 'rejected';
  // Conditional on the reviewer: an escalation between our read and this write must not let the old reviewer decide.
  return store.decideApproval(approvalId, {
    status, by: reviewer, at, expect: { reviewer }, ...(input.comment ? { comment: input.comment } : {}),
  }, {
    at, approvalId, runId: current.runId, actor: reviewer, action: status,
    detail: { tool: current.tool, args: current.args, ...(input.comment ? { comment: input.comment } : {}) },
  });
}
