/**
 * The evidence and recommendation a reviewer sees. A workflow attaches them
 * to the context right before the gated call (`withApprovalContext`); the
 * approval gate reads them when it creates the request.
 */
import type { RunContext } from '../core/context.js';

export interface ApprovalContext {
  /** What the agent gathered (order data, risk scores, policy facts). JSON. */
  evidence?: unknown;
  /** What the agent recommends, in words a reviewer can act on. */
  recommendation?: string;
}

const APPROVAL_CONTEXT = Symbol('agent-patterns.approvalContext');

/** The same run, carrying evidence and a recommendation for the next approval request. */
export function withApprovalContext(ctx: RunContext, context: ApprovalContext): RunContext {
  const child = Object.create(ctx) as RunContext;
  (child as unknown as Record<symbol, ApprovalContext>)[APPROVAL_CONTEXT] = context;
  return child;
}

export function approvalContextOf(ctx: RunContext): ApprovalContext | undefined {
  return (ctx as unknown as Record<symbol, ApprovalContext | undefined>)[APPROVAL_CONTEXT];
}

/** A decision as the workflow sees it. */
export interface HumanDecision {
  approved: boolean;
  reviewer: string;
  comment?: string;
}

/** Gates that can tell a workflow what was decided for a call (both gates of src/hitl can). */
export interface DecisionSource {
  decisionFor(runId: string, tool: string, args: unknown): Promise<HumanDecision | undefined>;
}

/** The decision recorded for exactly this call in this run, when the run's gate keeps them. */
export async function decisionFor(ctx: RunContext, tool: string, args: unknown): Promise<HumanDecision | undefined> {
  const gate = ctx.approvals as Partial<DecisionSource> | undefined;
  return gate?.decisionFor ? gate.decisionFor(ctx.runId, tool, args) : undefined;
}
