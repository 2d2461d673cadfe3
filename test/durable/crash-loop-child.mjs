// One worker life in the crash loop: takes one durable refund run as far as it can — starts it, approves
// what waits for a reviewer (as the reviewer would), resumes it — and SIGKILLs itself right before its
// KILL_AT-th store write (no kill when KILL_AT is 0 or beyond its writes).
// argv: <build dir> <store target> <run id> <kill log file>. Prints {"writes": n} when it finishes the run.
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [build, target, runId, killLog] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(join(build, p)).href);
const { openStore } = await load('src/store/open.js');
const { durableRun, resumeRun } = await load('src/durable/run.js');
const { WorkflowRegistry } = await load('src/durable/registry.js');
const { decideApproval } = await load('src/hitl/decide.js');
const refunds = await load('examples/vend/refund-approval.js');

// The run's own writes, in the order its life makes them. (Lease renewals come from a timer, at no fixed place in
// that order; a kill during one is a kill between the writes around it, so they are not counted.)
const WRITES = new Set([
  'putRun', 'claimRun', 'releaseRun', 'putCheckpoint', 'createApproval', 'decideApproval', 'reassignApproval',
  'consumeApproval', 'appendAudit', 'appendSpans', 'kvPut',
]);
const killAt = Number(process.env.KILL_AT ?? 0);
let writes = 0;
const real = await openStore(target);
const store = new Proxy(real, {
  get(obj, prop) {
    const value = obj[prop];
    if (typeof value !== 'function') return value;
    if (!WRITES.has(prop)) return value.bind(obj);
    return (...args) => {
      if (++writes === killAt) {
        appendFileSync(killLog, `${runId} ${writes} ${String(prop)}\n`);
        process.kill(process.pid, 'SIGKILL');
      }
      return value.apply(obj, args);
    };
  },
});

// A payment system that does NOT deduplicate: every issue is a new entry, so a repeated refund shows as two.
const LEDGER = 'crash-loop-ledger';
const ledger = {
  async issue(ctx, r) {
    const receipt = { refund_id: `RF-${r.order_id}-${Math.round(r.amount * 100)}` };
    await ctx.store.kvPut(LEDGER, `${ctx.runId}|${r.key}|${randomUUID()}`, receipt);
    return receipt;
  },
  async find(ctx, key) {
    const entry = (await ctx.store.kvList(LEDGER)).find((e) => e.key.startsWith(`${ctx.runId}|${key}|`));
    return entry?.value;
  },
};
const definition = refunds.refundApprovalDefinition({ ledger });
const registry = new WorkflowRegistry([definition]);
const lease = { ttlMs: Number(process.env.LEASE_MS ?? 300) };

for (let round = 0; round < 50; round++) {
  const record = await store.getRun(runId);
  if (record?.status === 'completed') break;
  if (!record) {
    await durableRun(definition.name, definition.step, refunds.example.defaultInput, {
      store, runId, version: definition.version, reconcilers: definition.reconcilers, lease,
    });
    continue;
  }
  for (const a of await store.listApprovals({ runId, status: 'pending' })) {
    await decideApproval(store, a.approvalId, { decision: 'approve', reviewer: a.reviewer, comment: 'checked' });
  }
  try {
    await resumeRun(runId, { store, registry, lease });
  } catch (err) {
    // The previous life's lease has not run out yet.
    if (err?.code !== 'RUN_IN_PROGRESS') throw err;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
await real.close();
process.stdout.write(`${JSON.stringify({ writes })}\n`);
