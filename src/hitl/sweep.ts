/**
 * Deadlines. A pending approval past its deadline gets its tool's configured
 * escalation: hand to another reviewer (once, with a fresh deadline), deny,
 * or approve as the safe default. Every step is written to the audit log.
 * Run by the CLI and before every resume; safe to run from several processes:
 * each change is conditional on the approval as read, and is written with its
 * audit entry in one transaction, so of two sweeps one acts and logs once.
 */
import type { ApprovalPolicy } from '../core/tool.js';
import { ApprovalAlreadyDecided, ApprovalChanged } from '../store/errors.js';
import type { ApprovalRecord, Store } from '../store/types.js';

export const POLICY_NAMESPACE = 'approval-policy';

/** What the store keeps per approval so a sweep in any process knows the escalation. */
export interface StoredApprovalPolicy {
  timeoutMs?: number;
  onTimeout?: ApprovalPolicy['onTimeout'];
  /** Written by versions before schema 3; the approval's own `escalatedFrom` says it now. */
  escalatedTo?: string;
}

export const TIMEOUT_ACTOR = 'system:timeout';

export interface SweepAction {
  approvalId: string;
  runId: string;
  action: 'escalated' | 'expired' | 'approved';
  reviewer?: string;
}

/** Applies the escalation of one pending approval whose deadline has passed; returns the updated record. */
export async function applyTimeout(store: Store, approval: ApprovalRecord, now: number): Promise<{ record: ApprovalRecord; action?: SweepAction }> {
  if (approval.status !== 'pending' || approval.deadline === undefined || approval.deadline > now) return { record: approval };
  const policy = ((await store.kvGet(POLICY_NAMESPACE, approval.approvalId)) ?? {}) as StoredApprovalPolicy;
  const onTimeout = policy.onTimeout ?? { action: 'deny' };
  const base = { approvalId: approval.approvalId, runId: approval.runId };
  // A timeout decision applies only to the approval as read: if another sweep escalated it meanwhile
  // (new reviewer, new deadline), the store refuses with ApprovalChanged and the new window stands.
  const asRead = { reviewer: approval.reviewer, deadline: approval.deadline };
  const escalated = approval.escalatedFrom !== undefined || policy.escalatedTo !== undefined;
  try {
    if (onTimeout.action === 'escalate' && !escalated) {
      const window = policy.timeoutMs ?? (approval.deadline - approval.createdAt);
      const record = await store.reassignApproval(approval.approvalId, { reviewer: onTimeout.reviewer, deadline: now + window, expect: asRead }, {
        at: now, ...base, actor: TIMEOUT_ACTOR, action: 'escalated',
        detail: { from: approval.reviewer, to: onTimeout.reviewer, deadline: now + window },
      });
      return { record, action: { ...base, action: 'escalated', reviewer: onTimeout.reviewer } };
    }
    if (onTimeout.action === 'approve') {
      const record = await store.decideApproval(approval.approvalId, {
        status: 'approved', by: TIMEOUT_ACTOR, at: now, comment: 'deadline passed: approved by the configured safe default', expect: asRead,
      }, { at: now, ...base, actor: TIMEOUT_ACTOR, action: 'approved', detail: { reason: 'timeout, safe default approve' } });
      return { record, action: { ...base, action: 'approved' } };
    }
    const reason = escalated ? `escalated to ${approval.reviewer} and still undecided at the deadline` : 'deadline passed';
    const record = await store.decideApproval(
      approval.approvalId,
      { status: 'expired', by: TIMEOUT_ACTOR, at: now, comment: `${reason}: denied`, expect: asRead },
      { at: now, ...base, actor: TIMEOUT_ACTOR, action: 'expired', detail: { reason } },
    );
    return { record, action: { ...base, action: 'expired' } };
  } catch (err) {
    // A reviewer decided between our read and our write: their decision stands.
    if (err instanceof ApprovalAlreadyDecided || err instanceof ApprovalChanged) {
      return { record: (await store.getApproval(approval.approvalId)) ?? approval };
    }
    throw err;
  }
}

/** Escalates every pending approval (of one run, or all) whose deadline is at or before `now`. */
export async function sweepApprovals(store: Store, now: number = Date.now(), filter: { runId?: string } = {}): Promise<SweepAction[]> {
  const pending = await store.listApprovals({ status: 'pending', ...(filter.runId ? { runId: filter.runId } : {}) });
  const actions: SweepAction[] = [];
  for (const approval of pending) {
    const { action } = await applyTimeout(store, approval, now);
    if (action) actions.push(action);
  }
  return actions;
}
