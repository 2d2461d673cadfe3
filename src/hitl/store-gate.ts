/**
 * The durable approval gate (pattern 11). For a gated call it looks up the
 * approval of exactly that call (tool + canonical arguments) in this run:
 *  - none yet → creates one pending request (evidence, recommendation,
 *    reviewer by rule, deadline), audits it, and throws RunSuspended: the run
 *    stops, no process waits;
 *  - pending → past its deadline the escalation applies, else RunSuspended again;
 *  - decided → approved runs the call, rejected/expired becomes a tool error.
 *
 * One approval authorises one execution. The call consumes the approval in
 * the store (atomically, audited) before it runs; the same call again — a
 * model repeating itself, or the call twice in one turn — needs a new one.
 * In a durable run each call has its own request, keyed by the call's journal
 * key, so a run resumed after a crash recognises the approval it already used
 * and neither asks again nor (with the journal's records) repeats the effect.
 */
import { randomUUID } from 'node:crypto';
import type { RunContext } from '../core/context.js';
import { RunSuspended } from '../core/errors.js';
import type { ApprovalGate, ApprovalPolicy } from '../core/tool.js';
import { activePathOf, activeStepName } from './active-path.js';
import { callKeyOf } from './call-key.js';
import { ApprovalExists, ApprovalNotUsable } from '../store/errors.js';
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

  async authorize(request: GateRequest, ctx: RunContext): Promise<{ approved: boolean; reviewer?: string; comment?: string }> {
    const callKey = approvalKey(request.tool, request.args);
    const durableCall = callKeyOf(ctx);
    // A durable call finds its own request again by id; a plain run (nothing replays) takes a request
    // of the run for the same call that no other execution has used.
    let record = durableCall ? await this.store.getApproval(approvalId(ctx.runId, `${callKey}\n${durableCall}`)) : await this.unused(ctx.runId, callKey);
    record ??= await this.create(request, callKey, durableCall, ctx);
    if (record.status === 'pending') record = (await applyTimeout(this.store, record, this.now())).record;
    if (record.status === 'pending') throw suspended(request.tool, record);
    if (record.status === 'approved') record = await this.use(record, request, callKey, durableCall, ctx);
    return toDecision(record);
  }

  async decisionFor(runId: string, tool: string, args: unknown): Promise<HumanDecision | undefined> {
    const record = await this.store.findApproval(runId, approvalKey(tool, args));
    return record && record.status !== 'pending' ? toDecision(record) : undefined;
  }

  /** A plain run's request for this call that no execution has used: approved first, then pending, then a refusal (which stands). */
  private async unused(runId: string, callKey: string): Promise<ApprovalRecord | undefined> {
    const open = (await this.store.listApprovals({ runId })).filter((a) => a.callKey === callKey && a.consumedBy === undefined);
    return open.find((a) => a.status === 'approved') ?? open.find((a) => a.status === 'pending') ?? open.at(-1);
  }

  /** Consumes an approved record for this execution (atomically, audited); a lost race in a plain run asks anew. */
  private async use(record: ApprovalRecord, request: GateRequest, callKey: string, durableCall: string | undefined, ctx: RunContext): Promise<ApprovalRecord> {
    const at = this.now();
    const consumer = durableCall ?? `${request.callId}#${randomUUID()}`;
    try {
      return await this.store.consumeApproval(record.approvalId, { consumer, at }, {
        at, approvalId: record.approvalId, runId: ctx.runId, actor: 'agent', action: 'consumed', detail: { tool: request.tool, call: consumer },
      });
    } catch (err) {
      // Durable: another process ran this very call, which the run's lease rules out; fail rather than act twice.
      if (!(err instanceof ApprovalNotUsable) || durableCall) throw err;
      // Another execution of the same call used it first: this one needs its own approval.
      throw suspended(request.tool, await this.create(request, callKey, undefined, ctx));
    }
  }

  private async create(request: GateRequest, callKey: string, durableCall: string | undefined, ctx: RunContext): Promise<ApprovalRecord> {
    const { policy } = request;
    const now = this.now();
    const attached = ctx.approval;
    const path = activePathOf(ctx);
    const summary = policy.summary?.(request.args);
    const reviewer = (typeof policy.reviewer === 'function' ? policy.reviewer(request.args) : policy.reviewer) || this.defaultReviewer;
    const record: ApprovalRecord = {
      approvalId: approvalId(ctx.runId, `${callKey}\n${durableCall ?? randomUUID()}`),
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
      await this.store.createApproval(record, {
        at: now, approvalId: record.approvalId, runId: ctx.runId, actor: 'agent', action: 'requested',
        detail: { tool: request.tool, args: request.args, reviewer, deadline: record.deadline, step: record.evidence },
      });
    } catch (err) {
      // The same call asked a moment earlier (another process replaying it): share its request.
      if (err instanceof ApprovalExists) return (await this.store.getApproval(record.approvalId))!;
      throw err;
    }
    ctx.tracer.event('approval', `approval-requested:${request.tool}`, ctx.spanId, { approvalId: record.approvalId, reviewer, deadline: record.deadline });
    return record;
  }
}

type GateRequest = { tool: string; args: unknown; callId: string; policy: ApprovalPolicy<unknown> };

function suspended(tool: string, record: ApprovalRecord): RunSuspended {
  return new RunSuspended([record.approvalId], `run suspended: ${tool} waits for approval ${record.approvalId} by ${record.reviewer}`);
}

function toDecision(record: ApprovalRecord): HumanDecision {
  return {
    approved: record.status === 'approved',
    reviewer: record.decidedBy ?? record.reviewer,
    ...(record.comment ? { comment: record.comment } : record.status === 'expired' ? { comment: 'no decision before the deadline' } : {}),
  };
}
