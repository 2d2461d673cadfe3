/**
 * Pattern 11 — human-in-the-loop. Finance automates refund investigation,
 * not the decision: the agent looks up the order's context, recommends, and
 * a person approves or rejects exactly the refund call (same order, same
 * amount). Only then does the refund tool run; the customer response never
 * claims a refund that was not issued, and a fraud score above 0.1 is never
 * refunded — both enforced in code, not left to the model.
 *
 * Offline (`agent-patterns run refund-approval`, the demo) a labelled demo
 * reviewer approves at once. As a durable run with a store
 * (`--durable --store ...`) the run suspends until a real decision arrives
 * (`agent-patterns approvals approve <id> --reviewer ...`, then `resume`).
 */
import { z } from 'zod';
import { type RunContext, type Model, runToolCall, step, type Step, runStep, run, tool, type AnyTool, prompt } from 'agent-patterns';
import type { Reconciler, WorkflowDefinition } from 'agent-patterns/durable';
import { DEMO_REVIEWER, demoApprovals, decisionFor, withApprovalContext, type HumanDecision } from 'agent-patterns/hitl';
import { scriptedByRules, lastUserMessage } from 'agent-patterns/testing';
import { ORDERS } from './data/orders.js';
import type { VendExample } from './types.js';

export const RECOMMEND_PROMPT =
  'You are a refund operations agent. Recommend approve, deny, or request more information. ' +
  'Cite specific policy facts. Do not approve if fraud score exceeds 0.1.';
export const RESPONSE_PROMPT =
  "Draft a customer-safe response based on the manager's review decision. " +
  'Do not claim the refund is approved unless it is. Be empathetic but accurate.';

/** Fraud scores above this are never refunded, whatever the model or a reviewer says. */
export const FRAUD_LIMIT = 0.1;

export interface RefundContext {
  order_id: string;
  amount: number;
  days_since_purchase: number;
  prior_refunds: number;
  fraud_score: number;
}

/** The payment service's view of each order (a stand-in for the real call). */
const RISK: Record<string, Omit<RefundContext, 'order_id' | 'amount'>> = {
  '1042': { days_since_purchase: 5, prior_refunds: 0, fraud_score: 0.04 },
  '1043': { days_since_purchase: 8, prior_refunds: 0, fraud_score: 0.01 },
  '1044': { days_since_purchase: 20, prior_refunds: 3, fraud_score: 0.34 },
  '1045': { days_since_purchase: 12, prior_refunds: 0, fraud_score: 0.02 },
  '1046': { days_since_purchase: 40, prior_refunds: 1, fraud_score: 0.08 },
};

export function lookupRefundContext(orderId: string): RefundContext | undefined {
  const order = ORDERS.get(orderId);
  const risk = RISK[orderId];
  return order && risk ? { order_id: orderId, amount: order.amount, ...risk } : undefined;
}

/** Reviewer by rule: large refunds go to the finance lead, the rest to the ops manager. */
export function refundReviewer(amount: number): string {
  return amount > 250 ? 'finance-lead' : 'ops-manager';
}

/** Where refunds land. Default: the run's store when it has one (so another process can reconcile), else memory. */
export interface RefundLedger {
  issue(ctx: RunContext, refund: { order_id: string; amount: number; key: string }): Promise<{ refund_id: string }>;
  find(ctx: RunContext, key: string): Promise<{ refund_id: string } | undefined>;
}

export function defaultLedger(): RefundLedger {
  const memory = new Map<string, { refund_id: string }>();
  return {
    async issue(ctx, r) {
      const existing = await this.find(ctx, r.key);
      if (existing) return existing; // idempotent on the key, like a real payment API
      const receipt = { refund_id: `RF-${r.order_id}-${Math.round(r.amount * 100)}` };
      if (ctx.store) await ctx.store.kvPut('vend-refunds', r.key, receipt);
      else memory.set(r.key, receipt);
      return receipt;
    },
    async find(ctx, key) {
      if (ctx.store) return (await ctx.store.kvGet('vend-refunds', key)) as { refund_id: string } | undefined;
      return memory.get(key);
    },
  };
}

export const refundKey = (order_id: string, amount: number) => `refund:${order_id}:${amount.toFixed(2)}`;

/** The one irreversible action: money leaves. Human approval of exactly this call, and hard rules in execute. */
export function issueRefundTool(ledger: RefundLedger) {
  return tool({
    name: 'issue_refund',
    description: 'Issue a refund to the original payment method. Irreversible; requires a human approval of this exact call.',
    input: z.object({ order_id: z.string().regex(/^\d{3,8}$/), amount: z.number().positive() }),
    irreversible: true,
    approval: {
      reviewer: (i) => refundReviewer(i.amount),
      timeoutMs: 24 * 3600_000,
      onTimeout: { action: 'escalate', reviewer: 'finance-director' },
      summary: (i) => `Refund $${i.amount.toFixed(2)} for order ${i.order_id}`,
    },
    idempotencyKey: (i) => refundKey(i.order_id, i.amount),
    execute: async (input, ctx) => {
      // Defence in depth: even an approved call cannot break these rules.
      const context = lookupRefundContext(input.order_id);
      if (!context) throw new Error(`order ${input.order_id} not found`);
      if (context.fraud_score > FRAUD_LIMIT) throw new Error(`fraud score ${context.fraud_score} is above ${FRAUD_LIMIT}: refunds are never issued`);
      if (input.amount > context.amount) throw new Error(`amount ${input.amount} is more than the ${context.amount} paid`);
      const receipt = await ledger.issue(ctx, { order_id: input.order_id, amount: input.amount, key: refundKey(input.order_id, input.amount) });
      return { ...receipt, order_id: input.order_id, amount: input.amount };
    },
  });
}

/** A refund that crashed mid-call is looked up in the ledger by its key before anything is repeated. */
export function refundReconciler(ledger: RefundLedger): Reconciler {
  return async (call, ctx) => {
    if (!call.idempotencyKey) return undefined;
    const found = await ledger.find(ctx, call.idempotencyKey);
    const args = call.args as { order_id: string; amount: number };
    return found ? { done: true, result: { ...found, order_id: args.order_id, amount: args.amount } } : { done: false };
  };
}

const Recommendation = z.object({
  action: z.enum(['approve', 'deny', 'request_info']),
  rationale: z.string(),
});
export type Recommendation = z.infer<typeof Recommendation>;

export interface RefundApprovalOutput {
  order_id: string | null;
  path: 'refunded' | 'not_approved' | 'fraud_blocked' | 'unknown_order';
  recommendation: Recommendation | null;
  approval: HumanDecision | null;
  refund: { refund_id: string; amount: number } | null;
  customer_response: string;
}

/** Scripted stand-in: recommends from the context facts, drafts from the review decision. */
export function refundApprovalScript(): Model {
  return scriptedByRules([
    {
      match: 'refund operations agent',
      reply: (req) => {
        const ctx = JSON.parse(lastUserMessage(req).split('Order context:\n')[1] ?? '{}') as RefundContext;
        if (ctx.fraud_score > FRAUD_LIMIT) {
          return { object: { action: 'deny', rationale: `Fraud score ${ctx.fraud_score} exceeds the 0.1 limit; ${ctx.prior_refunds} prior refunds.` } };
        }
        const facts = `${ctx.prior_refunds} prior refunds, fraud score ${ctx.fraud_score}`;
        if (ctx.days_since_purchase > 30) {
          return { object: { action: 'request_info', rationale: `Outside the 30-day window: ${ctx.days_since_purchase} days since purchase, ${facts}. Ask for evidence of the defect.` } };
        }
        return { object: { action: 'approve', rationale: `Damaged item reported; ${ctx.days_since_purchase} days since purchase (inside the 30-day window), ${facts}. Refund $${ctx.amount.toFixed(2)}.` } };
      },
    },
    {
      match: 'customer-safe response',
      reply: (req) => {
        const text = lastUserMessage(req);
        const review = JSON.parse(/Human review:\n(.*)/.exec(text)?.[1] ?? '{}') as { approved?: boolean; comment?: string; refund_issued?: boolean };
        if (review.approved && review.refund_issued) {
          return 'Thank you for your patience. Your refund has been approved and issued to your original payment method; it should appear within 5–7 business days.';
        }
        return `Thank you for reaching out, and I'm sorry about the trouble with your order. We have not been able to approve a refund yet${review.comment ? ` — our team noted: "${review.comment.replace(/[.!]+$/, '')}"` : ''}. We'll follow up with the next steps.`;
      },
    },
  ]);
}

/** True when a text tells the customer a refund was approved or issued. */
export function claimsRefund(text: string): boolean {
  return /\brefund\b[^.]*\b(approved|issued|processed|on (its|the) way|sent)\b/i.test(text) || /\b(approved|issued|processed)\b[^.]*\brefund\b/i.test(text);
}

export const SAFE_RESPONSE =
  "Thank you for reaching out, and I'm sorry about the trouble with your order. Your request is with our team and no money has been returned yet; we will follow up with the next steps.";

export function refundApprovalWorkflow(options: { model?: Model; ledger?: RefundLedger } = {}): Step<string, RefundApprovalOutput> {
  const model = options.model ?? refundApprovalScript();
  const refundTools: ReadonlyMap<string, AnyTool> = new Map([['issue_refund', issueRefundTool(options.ledger ?? defaultLedger())]]);
  const lookup = step('lookup-context', (orderId: string) => lookupRefundContext(orderId) ?? null);
  const recommend = prompt<{ message: string; context: RefundContext }, Recommendation>({
    name: 'recommend',
    model,
    instructions: `${RECOMMEND_PROMPT} Answer as JSON: {"action": "approve" | "deny" | "request_info", "rationale": string}.`,
    input: ({ message, context }) => `Customer message:\n${message}\n\nOrder context:\n${JSON.stringify(context)}`,
    output: Recommendation,
  });
  const draft = prompt<{ recommendation: Recommendation; review: { approved: boolean; comment?: string; refund_issued: boolean } }, string>({
    name: 'draft-response',
    model,
    instructions: RESPONSE_PROMPT,
    input: ({ recommendation, review }) => `Agent recommendation:\n${JSON.stringify(recommendation)}\n\nHuman review:\n${JSON.stringify(review)}`,
  });

  return step('refund-approval', async (message: string, ctx) => {
    const orderId = /\b(\d{3,8})\b/.exec(message)?.[1] ?? null;
    const context = orderId ? await runStep(ctx, lookup, orderId) : null;
    if (!orderId || !context) {
      return {
        order_id: orderId, path: 'unknown_order', recommendation: null, approval: null, refund: null,
        customer_response: 'Thank you for reaching out. Could you send the order number so we can look into the refund?',
      };
    }
    const recommendation = await runStep(ctx, recommend, { message, context });
    let approval: HumanDecision;
    let refund: RefundApprovalOutput['refund'] = null;
    let path: RefundApprovalOutput['path'];
    if (context.fraud_score > FRAUD_LIMIT) {
      // Code, not the model and not a reviewer: no approval is even requested.
      approval = { approved: false, reviewer: 'policy (code)', comment: `fraud score ${context.fraud_score} is above ${FRAUD_LIMIT}` };
      ctx.tracer.event('decision', 'fraud-block', ctx.spanId, { fraud_score: context.fraud_score });
      path = 'fraud_blocked';
    } else {
      const args = { order_id: context.order_id, amount: context.amount };
      const gated = withApprovalContext(ctx, { evidence: context, recommendation: `${recommendation.action}: ${recommendation.rationale}` });
      const outcome = await runToolCall(gated, refundTools, { id: `refund-${context.order_id}`, name: 'issue_refund', arguments: JSON.stringify(args) });
      const decided = await decisionFor(ctx, 'issue_refund', args);
      approval = decided ?? { approved: false, reviewer: 'none', comment: String(outcome.result) };
      if (outcome.ok) {
        const r = outcome.result as { refund_id: string; amount: number };
        refund = { refund_id: r.refund_id, amount: r.amount };
      }
      path = refund ? 'refunded' : 'not_approved';
    }
    const review = { approved: approval.approved, ...(approval.comment ? { comment: approval.comment } : {}), refund_issued: refund !== null };
    let text = await runStep(ctx, draft, { recommendation, review });
    if (!refund && claimsRefund(text)) {
      ctx.tracer.event('decision', 'response-corrected', ctx.spanId, { reason: 'claimed a refund that was not issued' });
      text = SAFE_RESPONSE;
    }
    return { order_id: orderId, path, recommendation, approval, refund, customer_response: text };
  });
}

/** The durable workflow (for `durableRun`/`resumeRun` and `agent-patterns resume`). */
export function refundApprovalDefinition(options: { model?: Model; ledger?: RefundLedger } = {}): WorkflowDefinition<string, RefundApprovalOutput> {
  const ledger = options.ledger ?? defaultLedger();
  return {
    name: 'refund-approval',
    version: '1',
    step: refundApprovalWorkflow({ ...options, ledger }),
    reconcilers: { issue_refund: refundReconciler(ledger) },
  };
}

export function describeRefundApproval(out: RefundApprovalOutput): string {
  switch (out.path) {
    case 'refunded':
      return `refunded $${out.refund!.amount.toFixed(2)} (approved by ${out.approval!.reviewer})`;
    case 'not_approved':
      return `not refunded (${out.approval!.reviewer}: ${out.approval!.comment ?? 'rejected'})`;
    case 'fraud_blocked':
      return 'not refunded (fraud score above 0.1, no approval requested)';
    default:
      return 'asked for the order number';
  }
}

export const example: VendExample = {
  name: 'refund-approval',
  pattern: 11,
  patternName: 'human-in-the-loop',
  summary: 'Investigates a refund, recommends, and issues it only after a person approves that exact refund.',
  inputHelp: 'a refund request naming the order (e.g. "Order 1045: ...")',
  defaultInput: 'Order 1045: my standing desk arrived with a cracked leg. I would like a refund.',
  root: () => refundApprovalWorkflow(),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    // Unattended runs get the labelled demo reviewer; a durable run with a store suspends for a real one instead.
    const approvals = runOptions.approvals ?? demoApprovals();
    const result = await run(refundApprovalWorkflow(model ? { model } : {}), input, { ...runOptions, approvals });
    const out = result.output;
    const note = out.approval?.reviewer === DEMO_REVIEWER ? `\n\n[approval decided by ${DEMO_REVIEWER}]` : '';
    return {
      outcome: describeRefundApproval(out),
      answer: `${out.customer_response}${note}`,
      details: { recommendation: out.recommendation, approval: out.approval, refund: out.refund, path: out.path },
      result,
    };
  },
};
