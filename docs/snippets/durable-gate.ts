import { z } from 'zod';
import { runToolCall, step, tool, type AnyTool } from 'agent-patterns';

declare function refundPath(orderId: string): Promise<'denied' | 'fraud_hold' | 'manual_review' | 'approved' | 'store_credit'>;

// Pattern 14: the money moves only when code (not the model) re-derives the "approved" route.
const issueRefund = tool({
  name: 'issue_refund',
  description: 'Issue a refund for a verified order. Irreversible.',
  input: z.object({ order_id: z.string(), amount: z.number().positive() }),
  irreversible: true,
  guard: async ({ order_id }) => {
    const path = await refundPath(order_id);
    return { allow: path === 'approved', reason: `routing says ${path}` };
  },
  execute: ({ order_id, amount }) => ({ refund_id: `RF-${order_id}`, amount }),
});
const tools: ReadonlyMap<string, AnyTool> = new Map([['issue_refund', issueRefund]]);

export const refund = step('refund', async (orderId: string, ctx) =>
  runToolCall(ctx, tools, { id: `refund-${orderId}`, name: 'issue_refund', arguments: JSON.stringify({ order_id: orderId, amount: 89.99 }) }),
);
