/**
 * One approval authorises one execution (issue 13, item 2). A model that
 * repeats an approved call — over turns, or twice in one turn — gets a new
 * approval request for each repetition, in durable and plain runs, on SQLite
 * and PostgreSQL. An approval used by a call that then crashed is still that
 * call's own when the run resumes: no second request, no second effect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { run } from '../../src/core/run.js';
import { tool } from '../../src/core/tool.js';
import { WorkflowRegistry } from '../../src/durable/registry.js';
import { durableRun, resumeRun } from '../../src/durable/run.js';
import { decideApproval } from '../../src/hitl/decide.js';
import { demoApprovals } from '../../src/hitl/demo-gate.js';
import { StoreApprovalGate } from '../../src/hitl/store-gate.js';
import { scripted, toolResults } from '../../src/models/scripted.js';
import { Agent } from '../../src/patterns/agent.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { requireService } from '../support/services.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ap-one-approval-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REFUND = { order_id: '1045', amount: 5000 };

/** A $5,000 refund behind a human approval; every real execution is counted. */
function refundTool(effects: string[]) {
  return tool({
    name: 'issue_refund',
    description: 'Refund an order. Irreversible.',
    input: z.object({ order_id: z.string(), amount: z.number() }),
    irreversible: true,
    approval: { reviewer: 'finance-lead' },
    execute: ({ order_id, amount }) => {
      effects.push(`${order_id}:${amount}`);
      return `refunded ${amount}`;
    },
  });
}

/** A model that asks for the same refund `perTurn` times a turn, for `turns` turns ("do it again"), then answers. */
function repeatingAgent(effects: string[], turns: number, perTurn = 1) {
  const model = scripted((req) => {
    const done = req.messages.filter((m) => m.role === 'assistant').length;
    if (done >= turns) return `done after ${toolResults(req).length} tool results`;
    return { toolCalls: Array.from({ length: perTurn }, () => ({ name: 'issue_refund', args: REFUND })) };
  });
  return new Agent({ name: 'refunder', instructions: 'Refund order 1045.', model, tools: [refundTool(effects)], maxTurns: turns + 1 });
}

const targets: [string, () => string][] = [
  ['SQLite', () => join(dir, `state-${Date.now()}-${Math.random().toString(36).slice(2)}.db`)],
  ['PostgreSQL', () => requireService('pg')],
];

describe.each(targets)('one approval, one execution (%s)', (label, targetOf) => {
  let store: Store;
  let n = 0;
  const runId = (name: string) => `${name}-${label}-${Date.now()}-${++n}`;
  beforeEach(async () => {
    store = await openStore(targetOf());
  });
  afterEach(async () => {
    await store.close();
  });

  const pending = async (id: string) => store.listApprovals({ runId: id, status: 'pending' });
  const approveAll = async (id: string) => {
    for (const a of await pending(id)) await decideApproval(store, a.approvalId, { decision: 'approve', reviewer: 'finance-lead' });
  };

  it('durable: the same call repeated over 3 turns runs once; each repetition asks anew', async () => {
    const effects: string[] = [];
    const id = runId('turns');
    const registry = new WorkflowRegistry([{ name: 'refunder', step: repeatingAgent(effects, 3) }]);
    expect((await durableRun('refunder', repeatingAgent(effects, 3), 'refund', { store, runId: id })).status).toBe('suspended');
    const [first] = await pending(id);
    await approveAll(id);

    // Turn 1's call runs; turn 2 repeats it and waits for a new approval.
    expect((await resumeRun(id, { store, registry })).status).toBe('suspended');
    expect(effects).toEqual(['1045:5000']);
    const [second] = await pending(id);
    expect(second!.approvalId).not.toBe(first!.approvalId);
    expect(second).toMatchObject({ tool: 'issue_refund', args: REFUND, reviewer: 'finance-lead' });
    expect(await store.getApproval(first!.approvalId)).toMatchObject({ status: 'approved', consumedBy: expect.stringMatching(/\|t1$/) });

    // The reviewer refuses the repetitions; the run ends with the one refund.
    await decideApproval(store, second!.approvalId, { decision: 'reject', reviewer: 'finance-lead', comment: 'already refunded' });
    expect((await resumeRun(id, { store, registry })).status).toBe('suspended');
    const [third] = await pending(id);
    await decideApproval(store, third!.approvalId, { decision: 'reject', reviewer: 'finance-lead' });
    const done = await resumeRun(id, { store, registry });
    expect(done.status).toBe('completed');
    expect(effects).toEqual(['1045:5000']);
    const audit = await store.listAudit({ runId: id });
    expect(audit.map((e) => `${e.approvalId === first!.approvalId ? 1 : e.approvalId === second!.approvalId ? 2 : 3}:${e.action}`)).toEqual([
      '1:requested', '1:approved', '1:consumed', '2:requested', '2:rejected', '3:requested', '3:rejected',
    ]);
  });

  it('durable: the same call twice in one turn needs two approvals', async () => {
    const effects: string[] = [];
    const id = runId('twice');
    const registry = new WorkflowRegistry([{ name: 'refunder', step: repeatingAgent(effects, 1, 2) }]);
    expect((await durableRun('refunder', repeatingAgent(effects, 1, 2), 'refund', { store, runId: id })).status).toBe('suspended');
    const requests = await pending(id);
    expect(requests).toHaveLength(2);
    await decideApproval(store, requests[0]!.approvalId, { decision: 'approve', reviewer: 'finance-lead' });

    expect((await resumeRun(id, { store, registry })).status).toBe('suspended');
    expect(effects).toEqual(['1045:5000']);
    expect((await pending(id)).map((a) => a.approvalId)).toEqual([requests[1]!.approvalId]);

    await decideApproval(store, requests[1]!.approvalId, { decision: 'approve', reviewer: 'finance-lead' });
    expect((await resumeRun(id, { store, registry })).status).toBe('completed');
    expect(effects).toEqual(['1045:5000', '1045:5000']);
  });

  it('durable: a crash after the approval was used and before the call ran resumes without asking again, and runs it once', async () => {
    const effects: string[] = [];
    const id = runId('crash');
    const registry = new WorkflowRegistry([{ name: 'refunder', step: repeatingAgent(effects, 1) }]);
    await durableRun('refunder', repeatingAgent(effects, 1), 'refund', { store, runId: id });
    await approveAll(id);
    // The process "dies" right after the store recorded the use: the run stops there.
    const crashing = Object.create(store) as Store;
    crashing.consumeApproval = async (...args) => {
      await store.consumeApproval(...args);
      throw new RunCrash();
    };
    // A throw the library does not own reaches the caller wrapped (RunFailed), the crash as its cause.
    await expect(resumeRun(id, { store: crashing, registry })).rejects.toMatchObject({ code: 'RUN_FAILED', cause: expect.any(RunCrash) });
    expect(effects).toEqual([]);
    const [used] = await store.listApprovals({ runId: id });
    expect(used!.consumedBy).toBeDefined();

    const done = await resumeRun(id, { store, registry });
    expect(done.status).toBe('completed');
    expect(effects).toEqual(['1045:5000']);
    expect(await store.listApprovals({ runId: id })).toHaveLength(1);
    expect((await store.listAudit({ runId: id })).map((e) => e.action)).toEqual(['requested', 'approved', 'consumed']);
  });

  it('plain run: an approval is used by one execution; a repetition in a later turn asks anew', async () => {
    const effects: string[] = [];
    const id = runId('plain-turns');
    const approvals = new StoreApprovalGate(store);
    // A plain run cannot resume: it stops at the request, and a new run under the same id picks the decision up.
    await expect(run(repeatingAgent(effects, 1), 'refund', { runId: id, store, approvals })).resolves.toMatchObject({ status: 'suspended' });
    await approveAll(id);
    await expect(run(repeatingAgent(effects, 3), 'refund', { runId: id, store, approvals })).resolves.toMatchObject({ status: 'suspended' });
    expect(effects).toEqual(['1045:5000']);
    const all = await store.listApprovals({ runId: id });
    expect(all.map((a) => [a.status, a.consumedBy !== undefined])).toEqual([['approved', true], ['pending', false]]);
  });

  it('plain run: the same call twice in one turn executes once on one approval', async () => {
    const effects: string[] = [];
    const id = runId('plain-twice');
    const approvals = new StoreApprovalGate(store);
    await expect(run(repeatingAgent(effects, 1), 'refund', { runId: id, store, approvals })).resolves.toMatchObject({ status: 'suspended' });
    await approveAll(id);
    await expect(run(repeatingAgent(effects, 1, 2), 'refund', { runId: id, store, approvals })).resolves.toMatchObject({ status: 'suspended' });
    expect(effects).toEqual(['1045:5000']);
    expect((await pending(id))).toHaveLength(1);
  });
});

class RunCrash extends Error {}

describe('one approval, one execution with the demo reviewer', () => {
  it('asks its rule once per execution, never reusing an earlier answer', async () => {
    const effects: string[] = [];
    const asked: unknown[] = [];
    const approvals = demoApprovals({
      decide: (request) => {
        asked.push(request.args);
        return { approved: asked.length === 1, comment: asked.length === 1 ? 'first one ok' : 'not again' };
      },
    });
    const result = await run(repeatingAgent(effects, 3), 'refund', { approvals });
    expect(asked).toEqual([REFUND, REFUND, REFUND]);
    expect(effects).toEqual(['1045:5000']);
    expect(result.output.actions.map((a) => a.ok)).toEqual([true, false, false]);
  });
});
