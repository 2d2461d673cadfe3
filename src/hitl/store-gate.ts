/**
 * The durable approval gate (pattern 11). For a gated call it looks up the
 * approval of exactly that call (tool + canonical arguments) in this run:
 *  - none yet → creates one pending request (evidence, recommendation,
 *    reviewer by rule, deadline), audits it, and throws RunSuspended: the run
 *    stops, no process waits;
 *  - pending → past its deadline the escalation applies, else RunSuspended again;
 *  - decided → approved runs the call, rejected/expired becomes a tool error.
 */
import type { RunContext } from '../core/context.js';
import { RunSuspended } from '../core/errors.js';
import type { ApprovalGate, ApprovalPolicy } from '../core/tool.js';
import { activePathOf, activeStepName } from './active-path.js';
import { ApprovalExists } from '../store/errors.js';
import type { ApprovalRecord, Store } from '../store/types.js';
import type { DecisionSource, HumanDecision } from './evidence.js';
import { approvalId, approvalKey } from './keys.js';
import { applyTimeout, POLICY_NAMESPACE, type StoredApprovalPolicy } from './sweep.js';

export interface StoreApprovalGateOptions {
  /** Reviewer when the tool's policy names none. Default "ops-reviewer". */
  defaultReviewer?: string;
  /** Clock (tests of deadlines). */
  now?: () => number;
}

export class StoreApprovalGate implements ApprovalGate, DecisionSource {
  private readonly now: () => number;
  private readonly defaultReviewer: string;

  constructor(
    readonly store: Store,
    options: StoreApprovalGateOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.defaultReviewer = options.defaultReviewer ?? 'ops-reviewer';
  }

  async authorize(
    request: { tool: string; args: unknown; callId: string; policy: ApprovalPolicy<unknown> },
    ctx: RunContext,
  ): Promise<{ approved: boolean; reviewer?: string; comment?: string }> {
    const callKey = approvalKey(request.tool, request.args);
    let record = await this.store.findApproval(ctx.runId, callKey);
    if (!record) record = await this.create(request, callKey, ctx);
    if (record.status === 'pending') record = (await applyTimeout(this.store, record, this.now())).record;
    if (record.status === 'pending') throw new RunSuspended([record.approvalId], `run suspended: ${request.tool} waits for approval ${record.approvalId} by ${record.reviewer}`);
    return toDecision(record);
  }

  async decisionFor(runId: string, tool: string, args: unknown): Promise<HumanDecision | undefined> {
    const record = await this.store.findApproval(runId, approvalKey(tool, args));
    return record && record.status !== 'pending' ? toDecision(record) : undefined;
  }

  private async create(
    request: { tool: string; args: unknown; callId: string; policy: ApprovalPolicy<unknown> },
    callKey: string,
    ctx: RunContext,
  ): Promise<ApprovalRecord> {
    const { policy } = request;
    const now = this.now();
    const attached = ctx.approval;
    const path = activePathOf(ctx);
    const summary = policy.summary?.(request.args);
    const reviewer = (typeof policy.reviewer === 'function' ? policy.reviewer(request.args) : policy.reviewer) || this.defaultReviewer;
    const record: ApprovalRecord = {
      approvalId: approvalId(ctx.runId, callKey),
      runId: ctx.runId,
      tool: request.tool,
      args: request.args,
      callKey,
      reviewer,
      evidence: {
        ...(attached?.evidence !== undefined ? { gathered: attached.evidence } : {}),
        ...(summary ? { summary } : {}),
        activeStep: activeStepName(path, 'run'),
        ...(path ? { path } : {}),
      },
      recommendation: attached?.recommendation ?? summary ?? `run ${request.tool} with the arguments shown`,
      status: 'pending',
      ...(policy.timeoutMs !== undefined ? { deadline: now + policy.timeoutMs } : {}),
      createdAt: now,
    };
    const stored: StoredApprovalPolicy = {
      ...(policy.timeoutMs !== undefined ? { timeoutMs: policy.timeoutMs } : {}),
      ...(policy.onTimeout ? { onTimeout: policy.onTimeout } : {}),
    };
    await this.store.kvPut(POLICY_NAMESPACE, record.approvalId, stored);
    try {
      await this.store.createApproval(record);
    } catch (err) {
      // A parallel branch asked for the same call a moment earlier: share its request.
      if (err instanceof ApprovalExists) return (await this.store.getApproval(record.approvalId))!;
      throw err;
    }
    await this.store.appendAudit({
      at: now, approvalId: record.approvalId, runId: ctx.runId, actor: 'agent', action: 'requested',
      detail: { tool: request.tool, args: request.args, reviewer, deadline: record.deadline, step: record.evidence },
    });
    ctx.tracer.event('approval', `approval-requested:${request.tool}`, ctx.spanId, { approvalId: record.approvalId, reviewer, deadline: record.deadline });
    return record;
  }
}

function toDecision(record: ApprovalRecord): HumanDecision {
  return {
    approved: record.status === 'approved',
    reviewer: record.decidedBy ?? record.reviewer,
    ...(record.comment ? { comment: record.comment } : record.status === 'expired' ? { comment: 'no decision before the deadline' } : {}),
  };
}
