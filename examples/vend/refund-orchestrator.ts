/**
 * Pattern 14 — custom logic. The refund workflow as code: purchase
 * verification and policy evaluation run in parallel, then plain TypeScript
 * routes to denied / fraud_hold / manual_review / approved / store_credit
 * exactly in the reference's order. The model only drafts text for the
 * routes that need it. The one irreversible action (the refund on the
 * approved route) runs behind a deterministic guard that re-checks the same
 * rules, so no model output can move money.
 */
import { z } from 'zod';
import { type Model, runToolCall, step, type Step, runStep, run, tool, type AnyTool, parallel, prompt } from 'agent-patterns';
import type { WorkflowDefinition } from 'agent-patterns/durable';
import { lastUserMessage, scriptedByRules } from 'agent-patterns/testing';
import type { VendExample } from './types.js';

export interface PurchaseVerification {
  order_id: string;
  purchased_by_user: boolean;
  amount: number;
}

export interface RefundPolicy {
  within_window: boolean;
  damaged_item_reported: boolean;
  fraud_flag: boolean;
  requires_manual_review: boolean;
}

export type RefundPath = 'denied' | 'fraud_hold' | 'manual_review' | 'approved' | 'store_credit';

export const MANUAL_REVIEW_PROMPT =
  'Prepare a manual review packet for operations. Include the customer claim, policy status, decision points, and missing evidence.';
export const REFUND_NOTE_PROMPT = 'Draft an internal refund processing note. Include only confirmed facts from context.';
export const STORE_CREDIT_PROMPT =
  'Draft a customer response offering store credit. Explain the policy reason clearly without being dismissive.';

/** The payment and policy services' answers per order (stand-ins for the real calls), one order per route. */
const PURCHASES: Record<string, { purchased_by_user: boolean; amount: number }> = {
  '1042': { purchased_by_user: false, amount: 189.0 },
  '1043': { purchased_by_user: true, amount: 64.5 },
  '1044': { purchased_by_user: true, amount: 120.0 },
  '1045': { purchased_by_user: true, amount: 89.99 },
  '1046': { purchased_by_user: true, amount: 89.99 },
};
const POLICIES: Record<string, RefundPolicy> = {
  '1042': { within_window: true, damaged_item_reported: false, fraud_flag: false, requires_manual_review: false },
  '1043': { within_window: true, damaged_item_reported: true, fraud_flag: true, requires_manual_review: false },
  '1044': { within_window: true, damaged_item_reported: true, fraud_flag: false, requires_manual_review: false },
  // The reference's own case: outside the window, damage reported, manual review required.
  '1045': { within_window: false, damaged_item_reported: true, fraud_flag: false, requires_manual_review: true },
  '1046': { within_window: false, damaged_item_reported: false, fraud_flag: false, requires_manual_review: false },
};

export interface RefundServices {
  verifyPurchase(orderId: string): Promise<PurchaseVerification>;
  evaluatePolicy(orderId: string): Promise<RefundPolicy>;
}

export const vendRefundServices: RefundServices = {
  async verifyPurchase(orderId) {
    const p = PURCHASES[orderId];
    // An order we cannot find was not purchased by this user: the safe answer.
    return { order_id: orderId, purchased_by_user: p?.purchased_by_user ?? false, amount: p?.amount ?? 0 };
  },
  async evaluatePolicy(orderId) {
    return POLICIES[orderId] ?? { within_window: false, damaged_item_reported: false, fraud_flag: false, requires_manual_review: true };
  },
};

/** Deterministic routing — these rules must not be delegated to the model. The reference's order, exactly. */
export function routeRefund(purchase: Pick<PurchaseVerification, 'purchased_by_user'>, policy: RefundPolicy): RefundPath {
  if (!purchase.purchased_by_user) return 'denied';
  if (policy.fraud_flag) return 'fraud_hold';
  if (policy.requires_manual_review) return 'manual_review';
  if (policy.within_window) return 'approved';
  return 'store_credit';
}

export interface OrchestratorOutput {
  path: RefundPath;
  output: string;
  refund: { refund_id: string; amount: number } | null;
}

/** Scripted drafts: each built only from the context the code passed in. */
export function refundOrchestratorScript(): Model {
  const ctxOf = (req: Parameters<typeof lastUserMessage>[0]) =>
    JSON.parse(lastUserMessage(req)) as { customer_message: string; order_id: string; purchase: { amount: number }; policy: RefundPolicy };
  return scriptedByRules([
    {
      match: 'manual review packet',
      reply: (req) => {
        const c = ctxOf(req);
        return [
          `Manual review — order ${c.order_id}`,
          `Customer claim: ${c.customer_message}`,
          `Policy status: within window ${c.policy.within_window ? 'yes' : 'no'}; damage reported ${c.policy.damaged_item_reported ? 'yes' : 'no'}; fraud flag ${c.policy.fraud_flag ? 'yes' : 'no'}.`,
          'Decision points: refund outside the window for a reported defect, or store credit.',
          'Missing evidence: photos of the damage and the carrier condition report.',
        ].join('\n');
      },
    },
    {
      match: 'internal refund processing note',
      reply: (req) => {
        const c = ctxOf(req);
        return `Refund processing note — order ${c.order_id}: purchase verified, inside the return window, no fraud flag. Amount $${c.purchase.amount.toFixed(2)}.`;
      },
    },
    {
      match: 'offering store credit',
      reply: (req) => {
        const c = ctxOf(req);
        return `Thank you for contacting us about order ${c.order_id}. This purchase is outside our refund window, so we can't refund it to your card — but we'd be glad to offer store credit for the full $${c.purchase.amount.toFixed(2)}.`;
      },
    },
  ]);
}

/** The refund action of the approved route, gated by code that re-derives the route (rule 5). */
export function orchestratorRefundTool(services: RefundServices, issued: { count: number } = { count: 0 }) {
  return tool({
    name: 'issue_refund',
    description: 'Issue a refund for a verified order. Irreversible; allowed only when the deterministic routing says "approved".',
    input: z.object({ order_id: z.string(), amount: z.number().positive() }),
    irreversible: true,
    guard: async ({ order_id, amount }) => {
      const [purchase, policy] = await Promise.all([services.verifyPurchase(order_id), services.evaluatePolicy(order_id)]);
      const path = routeRefund(purchase, policy);
      if (path !== 'approved') return { allow: false, reason: `routing says ${path}` };
      if (amount > purchase.amount) return { allow: false, reason: `amount ${amount} exceeds the ${purchase.amount} paid` };
      return { allow: true, reason: 'purchase verified, in window, no fraud flag, no manual review' };
    },
    idempotencyKey: ({ order_id, amount }) => `refund:${order_id}:${amount.toFixed(2)}`,
    execute: ({ order_id, amount }) => {
      issued.count++;
      return { refund_id: `RF-${order_id}-${Math.round(amount * 100)}`, amount };
    },
  });
}

export function refundOrchestrator(options: { model?: Model; services?: RefundServices; issued?: { count: number } } = {}): Step<string, OrchestratorOutput> {
  const model = options.model ?? refundOrchestratorScript();
  const services = options.services ?? vendRefundServices;
  const tools: ReadonlyMap<string, AnyTool> = new Map([['issue_refund', orchestratorRefundTool(services, options.issued)]]);
  const checks = parallel({
    purchase: step('verify-purchase', (orderId: string) => services.verifyPurchase(orderId)),
    policy: step('evaluate-policy', (orderId: string) => services.evaluatePolicy(orderId)),
  }, { name: 'eligibility-checks' });
  type DraftInput = { customer_message: string; order_id: string; purchase: { purchased_by_user: boolean; amount: number }; policy: Omit<RefundPolicy, 'requires_manual_review'> };
  const draft = (name: string, instructions: string) => prompt<DraftInput, string>({ name, model, instructions, input: (c) => JSON.stringify(c) });
  const manualPacket = draft('manual-review-packet', MANUAL_REVIEW_PROMPT);
  const refundNote = draft('refund-note', REFUND_NOTE_PROMPT);
  const storeCredit = draft('store-credit-offer', STORE_CREDIT_PROMPT);

  return step('refund-orchestrator', async (message: string, ctx) => {
    const orderId = /\b(\d{3,8})\b/.exec(message)?.[1] ?? '';
    const { purchase, policy } = await runStep(ctx, checks, orderId);
    const context: DraftInput = {
      customer_message: message,
      order_id: orderId,
      purchase: { purchased_by_user: purchase.purchased_by_user, amount: purchase.amount },
      policy: { within_window: policy.within_window, damaged_item_reported: policy.damaged_item_reported, fraud_flag: policy.fraud_flag },
    };
    const path = routeRefund(purchase, policy);
    ctx.tracer.event('decision', 'route', ctx.spanId, { path, purchased_by_user: purchase.purchased_by_user, ...policy });
    switch (path) {
      case 'denied':
        return { path, output: 'Refund denied: requester is not the purchaser.', refund: null };
      case 'fraud_hold':
        return { path, output: 'Refund held: fraud flag active. Routing to fraud team.', refund: null };
      case 'manual_review':
        return { path, output: await runStep(ctx, manualPacket, context), refund: null };
      case 'approved': {
        const outcome = await runToolCall(ctx, tools, {
          id: `refund-${orderId}`, name: 'issue_refund', arguments: JSON.stringify({ order_id: orderId, amount: purchase.amount }),
        });
        if (!outcome.ok) return { path: 'manual_review', output: `Refund could not be issued (${String(outcome.result)}); routed to manual review.`, refund: null };
        const note = await runStep(ctx, refundNote, context);
        return { path, output: note, refund: outcome.result as { refund_id: string; amount: number } };
      }
      case 'store_credit':
        return { path, output: await runStep(ctx, storeCredit, context), refund: null };
    }
  });
}

export function refundOrchestratorDefinition(options: { model?: Model } = {}): WorkflowDefinition<string, OrchestratorOutput> {
  return { name: 'refund-orchestrator', version: '1', step: refundOrchestrator(options) };
}

export const example: VendExample = {
  name: 'refund-orchestrator',
  pattern: 14,
  patternName: 'custom logic',
  summary: 'Parallel eligibility checks, then code-only routing; the model only drafts the text of the chosen route.',
  inputHelp: 'a refund request naming the order (e.g. "Order 1045: ...")',
  defaultInput: 'Order 1045: the standing desk arrived damaged and it has been more than 30 days. Can I get a refund?',
  root: () => refundOrchestrator(),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const result = await run(refundOrchestrator(model ? { model } : {}), input, runOptions);
    const out = result.output;
    return { outcome: out.path, answer: out.output, details: { path: out.path, refund: out.refund }, result };
  },
};
