// A separate process for the crash tests. argv: <build dir> <mode> <store target> <run id> <effects file>
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [build, mode, target, runId, effects] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(join(build, p)).href);
const { openStore } = await load('src/store/open.js');
const { durableRun, resumeRun } = await load('src/durable/run.js');
const { WorkflowRegistry } = await load('src/durable/registry.js');
const { step } = await load('src/core/step.js');
const { runStep } = await load('src/core/run-step.js');
const { tool } = await load('src/core/tool.js');
const { Agent } = await load('src/patterns/agent.js');
const { scripted, toolResults } = await load('src/models/scripted.js');
const refunds = await load('examples/vend/refund-approval.js');
const { z } = await import('zod');

const log = (line) => appendFileSync(effects, `${line}\n`);
const crash = (point) => {
  if (process.env.CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
};

// Refunds land in the store's ledger; every real issue is also counted in the effects file.
const base = refunds.defaultLedger();
const ledger = {
  async issue(ctx, r) {
    log(`issue ${r.key}`);
    const receipt = await base.issue(ctx, r);
    crash('after-issue'); // the money moved, the outcome is not recorded yet
    return receipt;
  },
  find: (ctx, key) => base.find(ctx, key),
};

// Four lookups by an agent; the process can die when the third starts.
const lookup = tool({
  name: 'lookup',
  description: 'Look a key up.',
  input: z.object({ key: z.string() }),
  execute: ({ key }) => {
    if (key === 'c') crash('lookup-c');
    log(`lookup ${key}`);
    return key.toUpperCase();
  },
});
const model = scripted((req) => {
  log('model');
  const done = toolResults(req).length;
  const keys = ['a', 'b', 'c', 'd'];
  return done < keys.length ? { toolCalls: [{ name: 'lookup', args: { key: keys[done] } }] } : `got ${toolResults(req).map((m) => m.content).join('')}`;
});
const agent = new Agent({ name: 'looker', instructions: 'Look up a to d.', model, tools: [lookup], maxTurns: 8 });
const steps = step('lookups', async (input, ctx) => (await runStep(ctx, agent, input)).text);

// A step that runs until the test kills its process (a live run, for the lease tests).
const busy = step('busy', async () => {
  log('busy started');
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.BUSY_MS ?? 60_000)));
  log('busy finished');
  return 'done';
});

const registry = new WorkflowRegistry([refunds.refundApprovalDefinition({ ledger }), { name: 'lookups', step: steps }, { name: 'busy', step: busy }]);
// The lease this process takes on a run: short in tests, so a killed run can be taken over soon; the host id it claims.
const lease = { ttlMs: Number(process.env.LEASE_MS ?? 30_000), ...(process.env.HOST_ID ? { hostId: process.env.HOST_ID } : {}) };
const store = mode === 'cli' ? undefined : await openStore(target);
const print = (r) => process.stdout.write(JSON.stringify({ status: r.status, output: r.output, pending: r.pending?.map((a) => a.approvalId), usage: r.usage }) + '\n');

if (mode === 'start-refund') {
  const def = registry.get('refund-approval');
  print(await durableRun(def.name, def.step, refunds.example.defaultInput, { store, runId, version: def.version, reconcilers: def.reconcilers, lease }));
  // Stay alive like a long-running worker: the test kills this process while the run waits for approval.
  setInterval(() => {}, 1000);
} else if (mode === 'start-lookups') {
  print(await durableRun('lookups', steps, 'go', { store, runId, lease }));
  await store.close();
} else if (mode === 'start-busy') {
  print(await durableRun('busy', busy, 'go', { store, runId, lease }));
  await store.close();
} else if (mode === 'resume') {
  // Like a worker taking over a crashed run: wait while its lease is still live.
  for (let attempt = 1; ; attempt++) {
    try {
      print(await resumeRun(runId, { store, registry, lease }));
      break;
    } catch (err) {
      if (err?.code !== 'RUN_IN_PROGRESS' || attempt >= 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await store.close();
} else if (mode === 'resume-once') {
  try {
    print(await resumeRun(runId, { store, registry, lease }));
  } catch (err) {
    process.stdout.write(JSON.stringify({ status: 'refused', code: err?.code, message: err?.message }) + '\n');
  }
  await store.close();
} else if (mode === 'cli') {
  const { main } = await load('src/cli/main.js');
  process.exitCode = await main(['node', 'agent-patterns', ...process.argv.slice(4)]);
}
