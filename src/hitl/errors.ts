/** Typed errors of human-in-the-loop decisions (unknown and already-decided approvals are the store's own errors). */
import { AgentPatternsError } from '../core/errors.js';

export { ApprovalAlreadyDecided, ApprovalNotFound } from '../store/errors.js';

/** Someone other than the assigned reviewer tried to decide. */
export class ReviewerMismatch extends AgentPatternsError {
  readonly approvalId: string;
  readonly assigned: string;
  readonly given: string;
  constructor(approvalId: string, assigned: string, given: string) {
    super('REVIEWER_MISMATCH', `approval "${approvalId}" is assigned to ${assigned}, not ${given}`);
    this.approvalId = approvalId;
    this.assigned = assigned;
    this.given = given;
  }
}
