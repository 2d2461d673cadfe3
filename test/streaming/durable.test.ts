import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamRun, withHooks } from '../../src/core/streaming/stream.js';
import type { RunEvent } from '../../src/core/streaming/events.js';
import { durableRun, resumeRun } from '../../src/durable/run.js';
import { WorkflowRegistry } from '../../src/durable/registry.js';
import { decideApproval } from '../../src/hitl/decide.js';
import { openStore } from '../../src/store/open.js';
import { refundApprovalDefinition } from '../../examples/vend/refund-approval.js';

const dir = mkdtempSync(join(tmpdir(), 'ap-stream-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(s: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of s) out.push(e);
  return out;
}

describe('durable runs stream', () => {
  it('a run that waits for a human streams up to the approval request; its resume says it replayed, then streams the rest', async () => {
    const store = await openStore(join(dir, 'state.db'));
    try {
      const def = refundApprovalDefinition();
      const input = 'Order 1045: my standing desk arrived with a cracked leg. I would like a refund.';
      const first = streamRun((hooks) => durableRun(def.name, def.step, input, withHooks({ store, ...(def.version ? { version: def.version } : {}) }, hooks)));
      const before = await collect(first);
      const started = await first.result;
      expect((started as unknown as { status: string }).status).toBe('suspended');
      expect(before.at(-1)).toMatchObject({ type: 'run-end', status: 'suspended' });
      const asked = before.find((e) => e.type === 'approval-requested');
      expect(asked).toMatchObject({ tool: 'issue_refund', details: { reviewer: 'finance-lead' } });
      expect(before.some((e) => e.type === 'text-delta')).toBe(true);

      const [pending] = await store.listApprovals({ runId: started.runId, status: 'pending' });
      await decideApproval(store, pending!.approvalId, { decision: 'approve', reviewer: 'finance-lead' });
      const registry = new WorkflowRegistry([def]);
      const second = streamRun((hooks) => resumeRun(started.runId, withHooks({ store, registry }, hooks)), { runId: started.runId });
      const after = await collect(second);
      const resumed = after.find((e) => e.type === 'resumed');
      expect(resumed).toBeDefined();
      // What was recorded before the suspension is replayed, not streamed again: no second recommendation.
      const recommendTokens = after.filter((e) => e.type === 'text-delta' && e.path.endsWith('recommend'));
      expect(recommendTokens).toEqual([]);
      expect(after.some((e) => e.type === 'tool-result' && e.tool === 'issue_refund' && e.ok)).toBe(true);
      expect(after.at(-1)).toMatchObject({ type: 'run-end', status: 'completed' });
    } finally {
      await store.close();
    }
  });
});
