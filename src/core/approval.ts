/**
 * Human approval of a tool call, as the core sees it: the tool's policy, the
 * request an approval gate is asked, its answer, and the evidence a workflow
 * attaches to a context for the reviewer. The gates themselves are in src/hitl.
 */

export interface ApprovalPolicy<I = unknown> {
  /** Who reviews (a name, or a rule over the input). */
  reviewer?: string | ((input: I) => string);
  /** Only ask for approval when this returns true (otherwise the guard alone decides). */
  when?: (input: I) => boolean;
  /** How long the request may wait before escalation. */
  timeoutMs?: number;
  /** What happens at the deadline: deny, or hand to another reviewer. */
  onTimeout?: { action: 'deny' } | { action: 'escalate'; reviewer: string } | { action: 'approve' };
  /** The evidence and recommendation shown to the reviewer. */
  summary?: (input: I) => string;
}

/** What an approval gate is asked: exactly this call of this tool. */
export interface ApprovalRequest {
  tool: string;
  args: unknown;
  callId: string;
  policy: ApprovalPolicy<unknown>;
}

export interface ApprovalAnswer {
  approved: boolean;
  reviewer?: string;
  comment?: string;
}

/** The evidence and recommendation a reviewer sees, attached with `ctx.with({ approval })` right before the gated call. */
export interface ApprovalContext {
  /** What the agent gathered (order data, risk scores, policy facts). JSON. */
  evidence?: unknown;
  /** What the agent recommends, in words a reviewer can act on. */
  recommendation?: string;
}
