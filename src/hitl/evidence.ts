/**
 * The evidence and recommendation a reviewer sees. A workflow attaches them
 * to the context right before the gated call (`withApprovalContext`); the
 * approval gate reads them when it creates the request.
 */
import type { ApprovalContext } from '../core/approval.js';
import type { RunContext } from '../core/context.js';

export type { ApprovalContext } from '../core/approval.js';

/** The same run, carrying evidence and a recommendation for the next approval request (`ctx.with({ approval })`). */
export function withApprovalContext(ctx: RunContext, context: ApprovalContext): RunContext {
  return ctx.with({ approval: context });
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
