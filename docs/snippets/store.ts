import { run, step, type Store } from 'agent-patterns';
import { ApprovalAlreadyDecided, ApprovalNotFound, StoreTraceSink, openStore } from 'agent-patterns/store';

export async function storeTour(): Promise<void> {
  // Nothing given: ./.agent-patterns/state.db (or $AGENT_PATTERNS_STORE). A postgres:// URL picks PostgreSQL.
  const store: Store = await openStore();
  try {
    // Idempotency by event id: only one worker, on any machine, gets `true`.
    if (await store.recordDecision('refund-events', 'evt-42', { route: 'manual_review' })) {
      // ... act on the event, then ack it
    }

    // An approval is decided once; a late or unknown decision is a typed error, never a silent overwrite.
    // The audit entry goes with the change, in the same transaction: both are written or neither.
    await store.createApproval({
      approvalId: 'ap-1', runId: 'run-1', tool: 'issue_refund', args: { orderId: 'A1', amount: 120 },
      callKey: 'issue_refund:3f2a', reviewer: 'finance-lead', status: 'pending', createdAt: Date.now(),
    }, { at: Date.now(), approvalId: 'ap-1', runId: 'run-1', actor: 'agent', action: 'requested' });
    await store.decideApproval('ap-1', { status: 'approved', by: 'ana', comment: 'within policy' }, {
      at: Date.now(), approvalId: 'ap-1', runId: 'run-1', actor: 'ana', action: 'approved',
    });
    try {
      await store.decideApproval('ap-1', { status: 'rejected', by: 'bob' });
    } catch (err) {
      if (err instanceof ApprovalAlreadyDecided) console.log(`too late: already ${err.status} by ${err.decidedBy}`);
      else if (err instanceof ApprovalNotFound) console.log('no such approval');
      else throw err;
    }

    // Traces land in the store: spans are buffered and written in batches; run() flushes at the end.
    const sink = new StoreTraceSink(store, { batchSize: 64 });
    const { runId } = await run(step('hello', (name: string) => `hello ${name}`), 'Vend', { sinks: [sink] });
    console.log(await store.getTrace(runId));
  } finally {
    await store.close();
  }
}
