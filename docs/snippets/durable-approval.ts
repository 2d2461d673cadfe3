import { z } from 'zod';
import { Agent, tool, type Model } from 'agent-patterns';
import { WorkflowRegistry, durableRun, resumeRun } from 'agent-patterns/durable';
import { decideApproval } from 'agent-patterns/hitl';
import { openStore } from 'agent-patterns/store';

declare const model: Model;
declare const payments: { refund(orderId: string, amount: number, idempotencyKey: string): Promise<{ refund_id: string }> };

// The one irreversible action: it runs only after a person approves exactly this call (same order, same amount).
const issueRefund = tool({
  name: 'issue_refund',
  description: 'Refund an order to the original payment method. Irreversible.',
  input: z.object({ order_id: z.string(), amount: z.number().positive() }),
  irreversible: true,
  approval: {
    reviewer: (i) => (i.amount > 250 ? 'finance-lead' : 'ops-manager'),
    timeoutMs: 24 * 3600_000,
    onTimeout: { action: 'escalate', reviewer: 'finance-director' },
  },
  idempotencyKey: (i) => `refund:${i.order_id}:${i.amount}`,
  execute: (i) => payments.refund(i.order_id, i.amount, `refund:${i.order_id}:${i.amount}`),
});

const agent = new Agent({ name: 'refund-agent', instructions: 'Investigate and refund when justified.', model, tools: [issueRefund] });
const registry = new WorkflowRegistry([{ name: 'refund-agent', step: agent }]);

export async function start(message: string) {
  const store = await openStore('./.agent-patterns/state.db');
  const result = await durableRun('refund-agent', agent, message, { store });
  // status "suspended": the request (evidence, recommendation, reviewer, deadline) is in the store; no process waits.
  return result.status === 'suspended' ? result.pending.map((a) => a.approvalId) : result.output.text;
}

// Any process, any time later: the reviewer decides, then the run resumes from its checkpoints.
export async function approveAndResume(approvalId: string, runId: string) {
  const store = await openStore('./.agent-patterns/state.db');
  await decideApproval(store, approvalId, { decision: 'approve', reviewer: 'finance-lead', comment: 'photos checked' });
  return resumeRun(runId, { store, registry });
}
