/** Typed errors of the durable store. Callers branch on `code`, never on message text. */
import { AgentPatternsError } from '../core/errors.js';
import type { ApprovalRecord, ApprovalStatus } from './types.js';

/** The store cannot do what was asked: driver missing, bad target, value that is not JSON, schema too new. */
export class StoreError extends AgentPatternsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_ERROR', message, options);
  }
}

/** A decision or re-assignment named an approval the store has never seen. */
export class ApprovalNotFound extends AgentPatternsError {
  readonly approvalId: string;
  constructor(approvalId: string) {
    super('APPROVAL_NOT_FOUND', `approval "${approvalId}" does not exist`);
    this.approvalId = approvalId;
  }
}

/** A decision or re-assignment arrived for an approval that is no longer pending (someone else decided first). */
export class ApprovalAlreadyDecided extends AgentPatternsError {
  readonly approvalId: string;
  readonly status: ApprovalStatus;
  readonly decidedBy: string | undefined;
  readonly decidedAt: number | undefined;
  constructor(approvalId: string, status: ApprovalStatus, decidedBy?: string, decidedAt?: number) {
    super(
      'APPROVAL_ALREADY_DECIDED',
      `approval "${approvalId}" is already ${status}${decidedBy ? ` by ${decidedBy}` : ''}${decidedAt !== undefined ? ` at ${new Date(decidedAt).toISOString()}` : ''}`,
    );
    this.approvalId = approvalId;
    this.status = status;
    this.decidedBy = decidedBy;
    this.decidedAt = decidedAt;
  }
}

/** createApproval was called twice with one approval id. */
export class ApprovalExists extends AgentPatternsError {
  readonly approvalId: string;
  constructor(approvalId: string) {
    super('APPROVAL_EXISTS', `approval "${approvalId}" already exists`);
    this.approvalId = approvalId;
  }
}

/** A pending approval changed (escalated: new reviewer or deadline) between the caller's read and its decision. */
export class ApprovalChanged extends AgentPatternsError {
  constructor(
    readonly approvalId: string,
    readonly current: ApprovalRecord,
  ) {
    super(
      'APPROVAL_CHANGED',
      `approval "${approvalId}" changed since it was read: now assigned to ${current.reviewer}` +
        (current.deadline !== undefined ? `, deadline ${new Date(current.deadline).toISOString()}` : ''),
    );
  }
}

/** An approval cannot authorise this execution: it is not approved, or another execution already used it. */
export class ApprovalNotUsable extends AgentPatternsError {
  constructor(
    readonly approvalId: string,
    readonly current: ApprovalRecord,
  ) {
    super(
      'APPROVAL_NOT_USABLE',
      current.consumedBy !== undefined
        ? `approval "${approvalId}" was already used by ${current.consumedBy}: one approval authorises one execution`
        : `approval "${approvalId}" is ${current.status}, not approved`,
    );
  }
}

/** Why a conditional decision changed nothing: unknown, already decided, or (still pending) changed since read. */
export function notPendingError(
  approvalId: string,
  current: ApprovalRecord | undefined,
): ApprovalNotFound | ApprovalAlreadyDecided | ApprovalChanged {
  if (!current) return new ApprovalNotFound(approvalId);
  if (current.status === 'pending') return new ApprovalChanged(approvalId, current);
  return new ApprovalAlreadyDecided(approvalId, current.status, current.decidedBy, current.decidedAt);
}

/** The four parameters of the optional expectations (reviewer, deadline) of a decision or re-assignment, each given twice. */
export function expectations(decision: { expect?: { reviewer?: string; deadline?: number } }): unknown[] {
  const reviewer = decision.expect?.reviewer ?? null;
  const deadline = decision.expect?.deadline ?? null;
  return [reviewer, reviewer, deadline === null ? null : String(deadline), deadline];
}

/** After a consumption that changed nothing: the record when `consumer` already holds it (a resumed execution), else why not. */
export function ownUse(approvalId: string, current: ApprovalRecord | undefined, consumer: string): ApprovalRecord {
  if (!current) throw new ApprovalNotFound(approvalId);
  if (current.consumedBy === consumer) return current;
  throw new ApprovalNotUsable(approvalId, current);
}
