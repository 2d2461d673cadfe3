/**
 * The demo's reviewer: approves (or applies a given rule) at once, in
 * memory, under a name that says so. Used by `agent-patterns demo` and by a
 * plain `agent-patterns run` so they run unattended; a durable run with a
 * store uses StoreApprovalGate and suspends for a real person.
 */
import type { ApprovalGate, ApprovalPolicy } from '../core/tool.js';
import type { DecisionSource, HumanDecision } from './evidence.js';
import { approvalKey } from './keys.js';

export const DEMO_REVIEWER = 'demo-reviewer (automatic, demo only)';

export interface DemoApprovalsOptions {
  reviewer?: string;
  /** Decide per call; default approve everything. */
  decide?: (request: { tool: string; args: unknown }) => { approved: boolean; comment?: string };
}

export class DemoApprovals implements ApprovalGate, DecisionSource {
  private readonly decisions = new Map<string, HumanDecision>();
  private readonly reviewer: string;

  constructor(private readonly options: DemoApprovalsOptions = {}) {
    this.reviewer = options.reviewer ?? DEMO_REVIEWER;
  }

  async authorize(request: { tool: string; args: unknown; callId: string; policy: ApprovalPolicy<unknown> }, ctx: { runId: string }): Promise<HumanDecision> {
    const verdict = this.options.decide?.(request) ?? { approved: true, comment: 'approved automatically so the demo runs unattended' };
    const decision: HumanDecision = { approved: verdict.approved, reviewer: this.reviewer, ...(verdict.comment ? { comment: verdict.comment } : {}) };
    this.decisions.set(`${ctx.runId}\n${approvalKey(request.tool, request.args)}`, decision);
    return decision;
  }

  async decisionFor(runId: string, tool: string, args: unknown): Promise<HumanDecision | undefined> {
    return this.decisions.get(`${runId}\n${approvalKey(tool, args)}`);
  }
}

export function demoApprovals(options?: DemoApprovalsOptions): DemoApprovals {
  return new DemoApprovals(options);
}
