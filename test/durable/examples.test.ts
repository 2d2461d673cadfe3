import { describe, expect, it } from 'vitest';
import { example as approvalExample, refundApprovalWorkflow, claimsRefund, SAFE_RESPONSE } from '../../examples/vend/refund-approval.js';
import { example as orchestratorExample, refundOrchestrator, routeRefund, vendRefundServices } from '../../examples/vend/refund-orchestrator.js';
import { run } from '../../src/core/run.js';
import { DEMO_REVIEWER, demoApprovals } from '../../src/hitl/demo-gate.js';
import { scriptedByRules } from '../../src/models/scripted.js';

describe('refund-orchestrator (pattern 14)', () => {
  const rows: [string, string, boolean][] = [
    ['1042', 'denied', false],
    ['1043', 'fraud_hold', false],
    ['1045', 'manual_review', false],
    ['1044', 'approved', true],
    ['1046', 'store_credit', false],
  ];
  it.each(rows)('order %s routes to %s', async (orderId, path, refunded) => {
    const issued = { count: 0 };
    const result = await run(refundOrchestrator({ issued }), `Order ${orderId}: I want a refund.`);
    expect(result.output.path).toBe(path);
    expect(issued.count).toBe(refunded ? 1 : 0);
    expect(result.output.refund !== null).toBe(refunded);
    // The route is a code decision in the trace; drafting happens only on routes that need text.
    const route = result.trace.find((s) => s.kind === 'decision' && s.name === 'route');
    expect(route?.attributes.path).toBe(path);
    const modelCalls = result.trace.filter((s) => s.kind === 'model').length;
    expect(modelCalls).toBe(path === 'denied' || path === 'fraud_hold' ? 0 : 1);
    // The two checks ran as parallel branches of one step.
    const branches = result.trace.filter((s) => s.kind === 'step' && (s.name === 'verify-purchase' || s.name === 'evaluate-policy'));
    expect(branches).toHaveLength(2);
    expect(new Set(branches.map((b) => b.parentId)).size).toBe(1);
  });

  it('routes in the reference order when several rules apply', () => {
    const all = { within_window: true, damaged_item_reported: true, fraud_flag: true, requires_manual_review: true };
    expect(routeRefund({ purchased_by_user: false }, all)).toBe('denied');
    expect(routeRefund({ purchased_by_user: true }, all)).toBe('fraud_hold');
    expect(routeRefund({ purchased_by_user: true }, { ...all, fraud_flag: false })).toBe('manual_review');
    expect(routeRefund({ purchased_by_user: true }, { ...all, fraud_flag: false, requires_manual_review: false })).toBe('approved');
    expect(routeRefund({ purchased_by_user: true }, { ...all, fraud_flag: false, requires_manual_review: false, within_window: false })).toBe('store_credit');
  });

  it('a model that drafts "refund approved" cannot change the route', async () => {
    const liar = scriptedByRules([{ match: /./, reply: 'APPROVED: refund issued, route=approved' }]);
    const issued = { count: 0 };
    const result = await run(refundOrchestrator({ model: liar, issued }), 'Order 1045: refund please');
    expect(result.output.path).toBe('manual_review');
    expect(issued.count).toBe(0);
  });

  it('the demo example runs offline', async () => {
    const out = await orchestratorExample.run(orchestratorExample.defaultInput);
    expect(out.outcome).toBe('manual_review');
    expect(out.result.scripted).toBe(true);
    expect(await vendRefundServices.verifyPurchase('9999')).toMatchObject({ purchased_by_user: false });
  });
});

describe('refund-approval (pattern 11)', () => {
  it('demo: the labelled demo reviewer approves and the refund is issued once', async () => {
    const out = await approvalExample.run(approvalExample.defaultInput);
    const d = out.details as { path: string; approval: { reviewer: string }; refund: { amount: number } };
    expect(d.path).toBe('refunded');
    expect(d.approval.reviewer).toBe(DEMO_REVIEWER);
    expect(d.refund.amount).toBe(420);
    expect(out.answer).toContain(DEMO_REVIEWER);
  });

  it('a rejection is never presented as a refund, even when the model claims one', async () => {
    const optimist = scriptedByRules([
      { match: 'refund operations agent', reply: { object: { action: 'approve', rationale: 'looks fine' } } },
      { match: 'customer-safe response', reply: 'Good news: your refund has been approved and issued!' },
    ]);
    const approvals = demoApprovals({ decide: () => ({ approved: false, comment: 'Ask for photos of the damage first.' }) });
    const result = await run(refundApprovalWorkflow({ model: optimist }), 'Order 1045: desk broken, refund please', { approvals });
    expect(result.output.path).toBe('not_approved');
    expect(result.output.refund).toBeNull();
    expect(result.output.approval).toMatchObject({ approved: false, comment: 'Ask for photos of the damage first.' });
    expect(result.output.customer_response).toBe(SAFE_RESPONSE);
    expect(claimsRefund(result.output.customer_response)).toBe(false);
    expect(result.trace.some((s) => s.name === 'response-corrected')).toBe(true);
  });

  it('a fraud score above 0.1 is never approved: no approval is even requested', async () => {
    let asked = 0;
    const approvals = demoApprovals({ decide: () => ((asked++), { approved: true }) });
    const result = await run(refundApprovalWorkflow(), 'Order 1044: shoes are bad, refund', { approvals });
    expect(result.output.path).toBe('fraud_blocked');
    expect(asked).toBe(0);
    expect(result.output.refund).toBeNull();
    expect(claimsRefund(result.output.customer_response)).toBe(false);
  });
});
