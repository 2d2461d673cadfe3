/**
 * The Store contract, as one suite every backend runs. A backend supplies
 * `newLocation()`: a fresh, empty place (a file, a schema) and returns an
 * opener; calling the opener again gives another connection to the same
 * place (reopen after close, or a second "process" racing the first).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../src/core/span.js';
import { ApprovalAlreadyDecided, ApprovalChanged, ApprovalExists, ApprovalNotFound, ApprovalNotUsable, StoreError } from '../../src/store/errors.js';
import { LATEST_VERSION, MIGRATIONS, type AppliedMigration } from '../../src/store/migrations.js';
import type { ApprovalRecord, AuditEntry, RunRecord, Store } from '../../src/store/types.js';
import { sessionContract } from './session-contract.js';

export type StoreOpener = () => Promise<Store>;

/** Values that must come back exactly as they went in. */
export const JSON_SAMPLES: Record<string, unknown> = {
  nested: { a: { b: { c: [1, { d: 'deep' }, [[], {}]] } }, list: [null, true, false] },
  unicode: { text: 'héllo — 你好 — مرحبا — 🧾💸 — \u0000 nul — "quotes" \\ back\\slash \n\t', key_ü: 'ключ' },
  numbers: { zero: 0, neg: -42, float: 0.1 + 0.2, big: Number.MAX_SAFE_INTEGER, tiny: 5e-324, huge: 1.7976931348623157e308, exp: -1.5e-10 },
  emptyString: '',
  plainString: 'just a string',
  number: 3.25,
  boolean: false,
  nullValue: null,
  emptyArray: [],
  emptyObject: {},
};

function run(id: string, patch: Partial<RunRecord> = {}): RunRecord {
  return { runId: id, workflow: 'refund-approval', input: { orderId: id }, status: 'running', createdAt: 1_000, updatedAt: 1_000, ...patch };
}

function approval(id: string, patch: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    approvalId: id,
    runId: 'run-1',
    tool: 'issue_refund',
    args: { orderId: 'A1', amount: 120.5 },
    callKey: `key-${id}`,
    reviewer: 'finance-lead',
    status: 'pending',
    createdAt: 5_000,
    ...patch,
  };
}

function audit(approvalId: string, action: string): AuditEntry {
  return { at: 1, approvalId, runId: 'run-1', actor: 'tester', action };
}

function span(traceId: string, spanId: string, startTime: number, patch: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId, spanId, parentId: undefined, kind: 'step', name: `s-${spanId}`, startTime, durationMs: 1.25, status: 'ok', attributes: {}, ...patch,
  };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

export function storeContract(backend: 'sqlite' | 'postgres', newLocation: () => Promise<StoreOpener>): void {
  describe(`Store contract: ${backend}`, () => {
    const opened: Store[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const track = async (s: Promise<Store>): Promise<Store> => {
      const store = await s;
      opened.push(store);
      return store;
    };
    const fresh = async (): Promise<Store> => track((await newLocation())());
    const twoConnections = async (): Promise<[Store, Store]> => {
      const open = await newLocation();
      const a = await track(open());
      return [a, await track(open())];
    };

    it('reports its kind and starts empty', async () => {
      const store = await fresh();
      expect(store.kind).toBe(backend);
      expect(await store.listRuns()).toEqual([]);
      expect(await store.getRun('nope')).toBeUndefined();
      expect(await store.getCheckpoints('nope')).toEqual(new Map());
      expect(await store.listApprovals()).toEqual([]);
      expect(await store.listAudit()).toEqual([]);
      expect(await store.listDecisions()).toEqual([]);
      expect(await store.countDecisions()).toBe(0);
      expect(await store.listDeadLetters()).toEqual([]);
      expect(await store.getTrace('nope')).toEqual([]);
      expect(await store.kvList('ns')).toEqual([]);
      expect(await store.kvGet('ns', 'k')).toBeUndefined();
      expect(await store.listUnpublished('c')).toEqual([]);
      expect(await store.inboxCount('hook')).toBe(0);
      expect(await store.inboxClaim('hook', 'w', 10, 1000)).toEqual([]);
    });

    describe('key-value', () => {
      it('puts, overwrites, lists in first-write order, and keeps namespaces apart', async () => {
        const store = await fresh();
        await store.kvPut('memory', 'b', { n: 1 });
        await store.kvPut('memory', 'a', 'first');
        await store.kvPut('other', 'a', 'elsewhere');
        await store.kvPut('memory', 'b', { n: 2 });
        expect(await store.kvGet('memory', 'b')).toEqual({ n: 2 });
        expect(await store.kvGet('memory', 'a')).toBe('first');
        expect(await store.kvGet('other', 'a')).toBe('elsewhere');
        expect(await store.kvGet('memory', 'c')).toBeUndefined();
        expect(await store.kvList('memory')).toEqual([
          { key: 'b', value: { n: 2 } },
          { key: 'a', value: 'first' },
        ]);
        expect(await store.kvList('other')).toEqual([{ key: 'a', value: 'elsewhere' }]);
      });

      it('round-trips every JSON shape exactly', async () => {
        const store = await fresh();
        for (const [key, value] of Object.entries(JSON_SAMPLES)) await store.kvPut('json', key, value);
        for (const [key, value] of Object.entries(JSON_SAMPLES)) expect(await store.kvGet('json', key), key).toStrictEqual(value);
        const listed = await store.kvList('json');
        expect(listed.map((e) => e.key)).toEqual(Object.keys(JSON_SAMPLES));
        expect(Object.fromEntries(listed.map((e) => [e.key, e.value]))).toStrictEqual(JSON_SAMPLES);
      });

      it('rejects a value that is not JSON with a typed error, storing nothing', async () => {
        const store = await fresh();
        const err = await rejection(store.kvPut('ns', 'k', { big: 10n }));
        expect(err).toBeInstanceOf(StoreError);
        expect((err as StoreError).code).toBe('STORE_ERROR');
        expect(await rejection(store.kvPut('ns', 'k', () => 1))).toBeInstanceOf(StoreError);
        expect(await store.kvGet('ns', 'k')).toBeUndefined();
      });
    });

    describe('runs and checkpoints', () => {
      it('upserts runs and round-trips every field', async () => {
        const store = await fresh();
        const first = run('r1', { state: { budget: { turns: 3 }, active: 'triage' } });
        await store.putRun(first);
        expect(await store.getRun('r1')).toStrictEqual(first);
        const done = run('r1', {
          status: 'failed', output: JSON_SAMPLES.unicode, error: { code: 'BUDGET_EXCEEDED', message: 'budget exceeded' },
          state: JSON_SAMPLES.nested, updatedAt: 2_000.5,
        });
        await store.putRun(done);
        expect(await store.getRun('r1')).toStrictEqual(done);
        expect(await store.listRuns()).toHaveLength(1);
      });

      it('claimRun: of concurrent claims of the same read exactly one wins; a stale read never does', async () => {
        const [a, b] = await twoConnections();
        const read = run('r-claim', { status: 'suspended', state: { owner: 'none' }, updatedAt: 1_000 });
        await a.putRun(read);
        const claims = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).claimRun(run('r-claim', { status: 'running', state: { owner: i }, updatedAt: 1_001 }), read)),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
        const winner = claims.indexOf(true);
        expect(await b.getRun('r-claim')).toMatchObject({ status: 'running', state: { owner: winner }, updatedAt: 1_001, input: read.input });
        expect(await a.claimRun(run('r-claim', { status: 'running', updatedAt: 1_002 }), read)).toBe(false);
        expect(await a.claimRun(run('r-none', { status: 'running', updatedAt: 2 }), { status: 'suspended', updatedAt: 1 })).toBe(false);
      });

      it('leases: a live lease blocks a claim, an expired one does not; only the holder renews or releases', async () => {
        const [a, b] = await twoConnections();
        const held = run('r-lease', { lease: { owner: 'host-a/1/x', expiresAt: 10_000 }, updatedAt: 1_000 });
        await a.putRun(held);
        expect(await b.getRun('r-lease')).toStrictEqual(held);
        // Another host, before the lease expires: refused; the holder renews.
        expect(await b.claimRun(run('r-lease', { lease: { owner: 'host-b/2/y', expiresAt: 19_000 }, updatedAt: 9_000 }), held)).toBe(false);
        expect(await b.renewLease('r-lease', { owner: 'host-b/2/y', expiresAt: 30_000 })).toBe(false);
        expect(await a.renewLease('r-lease', { owner: 'host-a/1/x', expiresAt: 20_000 })).toBe(true);
        expect(await b.claimRun(run('r-lease', { lease: { owner: 'host-b/2/y', expiresAt: 29_000 }, updatedAt: 19_999 }), held)).toBe(false);
        // After it expired: taken over; the old holder can neither renew nor write its end any more.
        const taken = run('r-lease', { lease: { owner: 'host-b/2/y', expiresAt: 30_000 }, updatedAt: 20_000 });
        expect(await b.claimRun(taken, held)).toBe(true);
        expect(await a.renewLease('r-lease', { owner: 'host-a/1/x', expiresAt: 40_000 })).toBe(false);
        expect(await a.releaseRun(run('r-lease', { status: 'failed', updatedAt: 21_000 }), 'host-a/1/x')).toBe(false);
        expect(await a.getRun('r-lease')).toStrictEqual(taken);
        const done = run('r-lease', { status: 'completed', output: { ok: 1 }, state: { s: 2 }, updatedAt: 22_000 });
        expect(await b.releaseRun(done, 'host-b/2/y')).toBe(true);
        expect(await a.getRun('r-lease')).toStrictEqual(done);
        expect((await a.getRun('r-lease'))!.lease).toBeUndefined();
      });

      it('lists newest first, filters by status and honours a limit', async () => {
        const store = await fresh();
        await store.putRun(run('old', { createdAt: 100, status: 'completed' }));
        await store.putRun(run('new', { createdAt: 300, status: 'suspended' }));
        await store.putRun(run('mid', { createdAt: 200, status: 'completed' }));
        await store.putRun(run('mid-twin', { createdAt: 200, status: 'completed' }));
        expect((await store.listRuns()).map((r) => r.runId)).toEqual(['new', 'mid-twin', 'mid', 'old']);
        expect((await store.listRuns({ status: 'completed' })).map((r) => r.runId)).toEqual(['mid-twin', 'mid', 'old']);
        expect((await store.listRuns({ status: 'completed', limit: 2 })).map((r) => r.runId)).toEqual(['mid-twin', 'mid']);
        expect(await store.listRuns({ limit: 0 })).toEqual([]);
        expect(await store.listRuns({ status: 'running' })).toEqual([]);
        expect(await rejection(store.listRuns({ limit: -1 }))).toBeInstanceOf(StoreError);
      });

      it('keeps checkpoints per run, in first-write order, the latest value winning', async () => {
        const store = await fresh();
        await store.putCheckpoint('r1', 'model:1', { text: 'hi' });
        await store.putCheckpoint('r1', 'tool:refund', JSON_SAMPLES.numbers);
        await store.putCheckpoint('r2', 'model:1', 'other run');
        await store.putCheckpoint('r1', 'model:1', { text: 'replaced' });
        await store.putCheckpoint('r1', 'empty', undefined);
        const cps = await store.getCheckpoints('r1');
        expect([...cps.keys()]).toEqual(['model:1', 'tool:refund', 'empty']);
        expect(cps.get('model:1')).toEqual({ text: 'replaced' });
        expect(cps.get('tool:refund')).toStrictEqual(JSON_SAMPLES.numbers);
        expect(cps.has('empty')).toBe(true);
        expect(cps.get('empty')).toBeUndefined();
        expect(await store.getCheckpoints('r2')).toEqual(new Map([['model:1', 'other run']]));
      });
    });

    describe('approvals and audit', () => {
      it('creates, gets and finds approvals, with every field round-tripping', async () => {
        const store = await fresh();
        const full = approval('ap-1', {
          evidence: JSON_SAMPLES.nested, recommendation: 'Approve: within policy ✅', deadline: 9_999.5, args: JSON_SAMPLES.unicode,
        });
        await store.createApproval(full);
        await store.createApproval(approval('ap-2'));
        expect(await store.getApproval('ap-1')).toStrictEqual(full);
        expect(await store.getApproval('ap-2')).toStrictEqual(approval('ap-2'));
        expect(await store.getApproval('missing')).toBeUndefined();
        expect(await store.findApproval('run-1', 'key-ap-1')).toStrictEqual(full);
        expect(await store.findApproval('run-2', 'key-ap-1')).toBeUndefined();
        const dup = await rejection(store.createApproval(approval('ap-1', { reviewer: 'someone else' })));
        expect(dup).toBeInstanceOf(ApprovalExists);
        expect((await store.getApproval('ap-1'))!.reviewer).toBe('finance-lead');
      });

      it('findApproval returns the latest request for that exact call', async () => {
        const store = await fresh();
        await store.createApproval(approval('first', { callKey: 'same', status: 'rejected', createdAt: 10 }));
        await store.createApproval(approval('second', { callKey: 'same', createdAt: 10 }));
        expect((await store.findApproval('run-1', 'same'))!.approvalId).toBe('second');
      });

      it('lists approvals oldest first, filtered by status and run', async () => {
        const store = await fresh();
        await store.createApproval(approval('a', { runId: 'r1' }));
        await store.createApproval(approval('b', { runId: 'r2' }));
        await store.createApproval(approval('c', { runId: 'r1' }));
        await store.decideApproval('c', { status: 'approved', by: 'ana' });
        expect((await store.listApprovals()).map((x) => x.approvalId)).toEqual(['a', 'b', 'c']);
        expect((await store.listApprovals({ status: 'pending' })).map((x) => x.approvalId)).toEqual(['a', 'b']);
        expect((await store.listApprovals({ runId: 'r1' })).map((x) => x.approvalId)).toEqual(['a', 'c']);
        expect((await store.listApprovals({ runId: 'r1', status: 'pending' })).map((x) => x.approvalId)).toEqual(['a']);
      });

      it('decides a pending approval once; a second decision and an unknown id are distinct typed errors', async () => {
        const store = await fresh();
        await store.createApproval(approval('ap'));
        const decided = await store.decideApproval('ap', { status: 'approved', by: 'ana', comment: 'ok — within policy', at: 7_000 });
        expect(decided).toStrictEqual({ ...approval('ap'), status: 'approved', decidedBy: 'ana', decidedAt: 7_000, comment: 'ok — within policy' });
        expect(await store.getApproval('ap')).toStrictEqual(decided);

        const again = await rejection(store.decideApproval('ap', { status: 'rejected', by: 'bob' }));
        expect(again).toBeInstanceOf(ApprovalAlreadyDecided);
        expect(again).toMatchObject({ code: 'APPROVAL_ALREADY_DECIDED', approvalId: 'ap', status: 'approved', decidedBy: 'ana', decidedAt: 7_000 });
        expect((await store.getApproval('ap'))!.status).toBe('approved');

        const unknown = await rejection(store.decideApproval('ghost', { status: 'approved', by: 'ana' }));
        expect(unknown).toBeInstanceOf(ApprovalNotFound);
        expect(unknown).toMatchObject({ code: 'APPROVAL_NOT_FOUND', approvalId: 'ghost' });
      });

      it('decides only while the approval is as expected (reviewer, deadline); otherwise ApprovalChanged and nothing changes', async () => {
        const store = await fresh();
        await store.createApproval(approval('ap-x', { reviewer: 'ops', deadline: 5_000 }));
        await expect(store.decideApproval('ap-x', { status: 'approved', by: 'ops', expect: { reviewer: 'director' } })).rejects.toBeInstanceOf(ApprovalChanged);
        await expect(store.decideApproval('ap-x', { status: 'expired', by: 'sys', expect: { deadline: 4_000 } })).rejects.toBeInstanceOf(ApprovalChanged);
        expect((await store.getApproval('ap-x'))!.status).toBe('pending');
        const ok = await store.decideApproval('ap-x', { status: 'approved', by: 'ops', expect: { reviewer: 'ops', deadline: 5_000 } });
        expect(ok).toMatchObject({ status: 'approved', decidedBy: 'ops' });
      });

      it('stamps the decision time when none is given, and can expire an approval', async () => {
        const store = await fresh();
        await store.createApproval(approval('ap'));
        const before = Date.now();
        const expired = await store.decideApproval('ap', { status: 'expired', by: 'system:timeout' });
        expect(expired.status).toBe('expired');
        expect(expired.decidedAt).toBeGreaterThanOrEqual(before);
        expect(expired.comment).toBeUndefined();
      });

      it('re-assigns only pending approvals, remembering the previous reviewer', async () => {
        const store = await fresh();
        await store.createApproval(approval('ap', { deadline: 100 }));
        const moved = await store.reassignApproval('ap', { reviewer: 'cfo', deadline: 500 });
        expect(moved).toMatchObject({ reviewer: 'cfo', deadline: 500, status: 'pending', escalatedFrom: 'finance-lead' });
        expect(await store.getApproval('ap')).toStrictEqual(moved);
        const noDeadline = await store.reassignApproval('ap', { reviewer: 'ceo' });
        expect(noDeadline).toMatchObject({ reviewer: 'ceo', escalatedFrom: 'cfo' });
        expect(noDeadline.deadline).toBeUndefined();
        await store.decideApproval('ap', { status: 'rejected', by: 'ceo' });
        expect(await rejection(store.reassignApproval('ap', { reviewer: 'cfo' }))).toBeInstanceOf(ApprovalAlreadyDecided);
        expect(await rejection(store.reassignApproval('ghost', { reviewer: 'cfo' }))).toBeInstanceOf(ApprovalNotFound);
      });

      it('re-assigns only while the approval is as expected; otherwise ApprovalChanged and nothing changes', async () => {
        const store = await fresh();
        await store.createApproval(approval('ap', { reviewer: 'ops', deadline: 100 }));
        const stale = { reviewer: 'ops', deadline: 99 };
        expect(await rejection(store.reassignApproval('ap', { reviewer: 'cfo', deadline: 500, expect: stale }))).toBeInstanceOf(ApprovalChanged);
        expect(await store.getApproval('ap')).toMatchObject({ reviewer: 'ops', deadline: 100 });
        expect(await store.reassignApproval('ap', { reviewer: 'cfo', deadline: 500, expect: { reviewer: 'ops', deadline: 100 } })).toMatchObject({ reviewer: 'cfo' });
      });

      it('consumes an approved approval once: the same consumer again gets it back, anyone else is refused', async () => {
        const store = await fresh();
        await store.createApproval(approval('ap'));
        await store.createApproval(approval('no', { callKey: 'k-no' }));
        const notYet = await rejection(store.consumeApproval('ap', { consumer: 'call-1' }));
        expect(notYet).toBeInstanceOf(ApprovalNotUsable);
        expect(notYet).toMatchObject({ code: 'APPROVAL_NOT_USABLE', current: { status: 'pending' } });
        await store.decideApproval('ap', { status: 'approved', by: 'ana', at: 6_000 });
        await store.decideApproval('no', { status: 'rejected', by: 'ana' });
        const used = await store.consumeApproval('ap', { consumer: 'call-1', at: 7_000 }, audit('ap', 'consumed'));
        expect(used).toMatchObject({ status: 'approved', consumedBy: 'call-1', consumedAt: 7_000 });
        expect(await store.getApproval('ap')).toStrictEqual(used);
        // The same execution resumed after a crash: its approval, unchanged, and no second audit entry.
        expect(await store.consumeApproval('ap', { consumer: 'call-1', at: 9_000 }, audit('ap', 'consumed'))).toStrictEqual(used);
        const other = await rejection(store.consumeApproval('ap', { consumer: 'call-2' }, audit('ap', 'consumed')));
        expect(other).toBeInstanceOf(ApprovalNotUsable);
        expect((other as Error).message).toContain('already used by call-1');
        expect(await rejection(store.consumeApproval('no', { consumer: 'call-1' }))).toBeInstanceOf(ApprovalNotUsable);
        expect(await rejection(store.consumeApproval('ghost', { consumer: 'call-1' }))).toBeInstanceOf(ApprovalNotFound);
        expect((await store.listAudit({ approvalId: 'ap' })).map((e) => e.action)).toEqual(['consumed']);
      });

      it('writes an approval change and its audit entry together: a failed audit write undoes the change', async () => {
        const store = await fresh();
        // An entry the database itself refuses (actor is NOT NULL), so the failure happens after the change was written.
        const broken = { at: 1, actor: null, action: 'x' } as unknown as AuditEntry;
        expect(await rejection(store.createApproval(approval('ap'), broken))).toBeDefined();
        expect(await store.getApproval('ap')).toBeUndefined();
        await store.createApproval(approval('ap'), audit('ap', 'requested'));
        expect(await rejection(store.reassignApproval('ap', { reviewer: 'cfo' }, broken))).toBeDefined();
        expect(await rejection(store.decideApproval('ap', { status: 'approved', by: 'finance-lead' }, broken))).toBeDefined();
        expect(await store.getApproval('ap')).toStrictEqual(approval('ap'));
        await store.decideApproval('ap', { status: 'approved', by: 'finance-lead', at: 6_000 }, audit('ap', 'approved'));
        expect(await rejection(store.consumeApproval('ap', { consumer: 'c' }, broken))).toBeDefined();
        expect((await store.getApproval('ap'))!.consumedBy).toBeUndefined();
        await store.consumeApproval('ap', { consumer: 'c' }, audit('ap', 'consumed'));
        expect((await store.listAudit({ approvalId: 'ap' })).map((e) => e.action)).toEqual(['requested', 'approved', 'consumed']);
        // A change that does not happen writes no entry either.
        expect(await rejection(store.createApproval(approval('ap'), audit('ap', 'requested')))).toBeInstanceOf(ApprovalExists);
        expect(await rejection(store.decideApproval('ap', { status: 'rejected', by: 'x' }, audit('ap', 'rejected')))).toBeInstanceOf(ApprovalAlreadyDecided);
        expect((await store.listAudit({ approvalId: 'ap' })).map((e) => e.action)).toEqual(['requested', 'approved', 'consumed']);
      });

      it('appends audit entries and lists them in order, by approval or run', async () => {
        const store = await fresh();
        await store.appendAudit({ at: 3, approvalId: 'ap-1', runId: 'r1', actor: 'agent', action: 'requested', detail: JSON_SAMPLES.nested });
        await store.appendAudit({ at: 1, approvalId: 'ap-2', runId: 'r2', actor: 'ana', action: 'approved' });
        await store.appendAudit({ at: 2, approvalId: 'ap-1', runId: 'r1', actor: 'bob', action: 'rejected', detail: { comment: 'no ❌' } });
        await store.appendAudit({ at: 4, runId: 'r1', actor: 'system', action: 'escalated' });
        const all = await store.listAudit();
        expect(all.map((e) => e.action)).toEqual(['requested', 'approved', 'rejected', 'escalated']);
        expect(all[0]).toStrictEqual({ at: 3, approvalId: 'ap-1', runId: 'r1', actor: 'agent', action: 'requested', detail: JSON_SAMPLES.nested });
        expect(all[3]).toStrictEqual({ at: 4, runId: 'r1', actor: 'system', action: 'escalated' });
        expect((await store.listAudit({ approvalId: 'ap-1' })).map((e) => e.actor)).toEqual(['agent', 'bob']);
        expect((await store.listAudit({ runId: 'r1' })).map((e) => e.action)).toEqual(['requested', 'rejected', 'escalated']);
        expect((await store.listAudit({ runId: 'r1', approvalId: 'ap-2' }))).toEqual([]);
      });
    });

    describe('decisions and dead letters', () => {
      it('records a decision once per (consumer, event) and keeps the first', async () => {
        const store = await fresh();
        const before = Date.now();
        expect(await store.recordDecision('triage', 'evt-1', { route: 'refund', why: JSON_SAMPLES.unicode })).toBe(true);
        expect(await store.recordDecision('triage', 'evt-1', { route: 'other' })).toBe(false);
        expect(await store.recordDecision('billing', 'evt-1', 'separate consumer')).toBe(true);
        const got = await store.getDecision('triage', 'evt-1');
        expect(got).toMatchObject({ consumer: 'triage', eventId: 'evt-1', decision: { route: 'refund', why: JSON_SAMPLES.unicode } });
        expect(got!.decidedAt).toBeGreaterThanOrEqual(before);
        expect(await store.getDecision('triage', 'evt-2')).toBeUndefined();
      });

      it('lists decisions in recording order, per consumer, with a limit, and counts them', async () => {
        const store = await fresh();
        for (const id of ['e3', 'e1', 'e2']) await store.recordDecision('c1', id, { id });
        await store.recordDecision('c2', 'e1', null);
        expect((await store.listDecisions({ consumer: 'c1' })).map((d) => d.eventId)).toEqual(['e3', 'e1', 'e2']);
        expect((await store.listDecisions({ consumer: 'c1', limit: 2 })).map((d) => d.eventId)).toEqual(['e3', 'e1']);
        expect((await store.listDecisions()).map((d) => `${d.consumer}/${d.eventId}`)).toEqual(['c1/e3', 'c1/e1', 'c1/e2', 'c2/e1']);
        expect((await store.listDecisions({ consumer: 'c2' }))[0]!.decision).toBeNull();
        expect(await store.countDecisions()).toBe(4);
        expect(await store.countDecisions('c1')).toBe(3);
        expect(await store.countDecisions('nobody')).toBe(0);
      });

      it('keeps one dead letter per (consumer, event), the latest failure replacing the earlier', async () => {
        const store = await fresh();
        await store.putDeadLetter({ consumer: 'c1', eventId: 'e1', payload: JSON_SAMPLES.nested, error: 'boom', attempts: 1, at: 10 });
        await store.putDeadLetter({ consumer: 'c2', eventId: 'e9', payload: 'x', error: 'bad', attempts: 5, at: 11 });
        await store.putDeadLetter({ consumer: 'c1', eventId: 'e2', payload: JSON_SAMPLES.unicode, error: 'timeout', attempts: 3, at: 12 });
        await store.putDeadLetter({ consumer: 'c1', eventId: 'e1', payload: JSON_SAMPLES.nested, error: 'boom again', attempts: 2, at: 13 });
        expect(await store.listDeadLetters({ consumer: 'c1' })).toStrictEqual([
          { consumer: 'c1', eventId: 'e1', payload: JSON_SAMPLES.nested, error: 'boom again', attempts: 2, at: 13 },
          { consumer: 'c1', eventId: 'e2', payload: JSON_SAMPLES.unicode, error: 'timeout', attempts: 3, at: 12 },
        ]);
        expect((await store.listDeadLetters()).map((d) => d.eventId)).toEqual(['e1', 'e9', 'e2']);
      });
    });

    describe('decisions outbox', () => {
      it('keeps a decision stored with publish: true in the outbox until it is marked published', async () => {
        const store = await fresh();
        expect(await store.recordDecision('c', 'e1', { action: 'block' }, { runId: 'run-1', attempts: 2, publish: true })).toBe(true);
        expect(await store.recordDecision('c', 'e2', 'no publisher')).toBe(true);
        expect(await store.recordDecision('c', 'e3', 'third', { publish: true })).toBe(true);
        expect(await store.recordDecision('other', 'e9', 'x', { publish: true })).toBe(true);
        const waiting = await store.listUnpublished('c');
        expect(waiting.map((d) => d.eventId)).toEqual(['e1', 'e3']);
        expect(waiting[0]).toMatchObject({ consumer: 'c', eventId: 'e1', decision: { action: 'block' }, runId: 'run-1', attempts: 2 });
        expect(waiting[0]!.publishedAt).toBeUndefined();
        expect((await store.getDecision('c', 'e2'))!.publishedAt).toBeGreaterThan(0);
        expect((await store.listUnpublished('c', { limit: 1 })).map((d) => d.eventId)).toEqual(['e1']);
        expect(await store.listUnpublished('c', { decidedBefore: waiting[0]!.decidedAt - 1 })).toEqual([]);

        await store.markPublished('c', 'e1');
        await store.markPublished('c', 'e1'); // twice is harmless
        expect((await store.listUnpublished('c')).map((d) => d.eventId)).toEqual(['e3']);
        expect((await store.getDecision('c', 'e1'))!.publishedAt).toBeGreaterThanOrEqual(waiting[0]!.decidedAt);
        expect((await store.listUnpublished('other')).map((d) => d.eventId)).toEqual(['e9']);
      });
    });

    describe('event inbox', () => {
      it('adds an event once per (inbox, id), claims oldest first, removes on done, and counts what is left', async () => {
        const store = await fresh();
        expect(await store.inboxPut('hook', 'e1', { amount: 1, text: JSON_SAMPLES.unicode })).toBe(true);
        expect(await store.inboxPut('hook', 'e2', { amount: 2 })).toBe(true);
        expect(await store.inboxPut('hook', 'e1', { amount: 999 })).toBe(false); // a sender's retry
        expect(await store.inboxPut('elsewhere', 'e1', 'other inbox')).toBe(true);
        expect(await store.inboxPut('hook', 'e3', null)).toBe(true);
        expect(await store.inboxCount('hook')).toBe(3);

        const first = await store.inboxClaim('hook', 'w1', 2, 60_000);
        expect(first.map((e) => [e.eventId, e.payload, e.deliveries])).toEqual([
          ['e1', { amount: 1, text: JSON_SAMPLES.unicode }, 1],
          ['e2', { amount: 2 }, 1],
        ]);
        expect(first[0]).toMatchObject({ inbox: 'hook' });
        // Held entries are not handed to anyone else.
        expect((await store.inboxClaim('hook', 'w2', 10, 60_000)).map((e) => e.eventId)).toEqual(['e3']);
        expect(await store.inboxClaim('hook', 'w2', 10, 60_000)).toEqual([]);

        await store.inboxRemove('hook', 'e1');
        await store.inboxRelease('hook', 'w1', 'e2'); // a nack: free for anyone, at once
        await store.inboxRelease('hook', 'w3', 'e3'); // not w3's: nothing happens
        const again = await store.inboxClaim('hook', 'w2', 10, 60_000);
        expect(again.map((e) => [e.eventId, e.deliveries])).toEqual([['e2', 2]]);
        expect(await store.inboxCount('hook')).toBe(2);
        expect(await store.inboxCount('elsewhere')).toBe(1);
      });

      it('frees every entry of an owner (a restart taking over), and lets an expired lease be claimed unless renewed', async () => {
        const store = await fresh();
        for (const id of ['a', 'b', 'c']) await store.inboxPut('hook', id, id);
        expect(await store.inboxClaim('hook', 'old-worker', 2, 60_000)).toHaveLength(2);
        await store.inboxRelease('hook', 'old-worker');
        expect((await store.inboxClaim('hook', 'new-worker', 10, 60_000)).map((e) => e.eventId)).toEqual(['a', 'b', 'c']);

        await store.inboxPut('lease', 'x', 1);
        await store.inboxPut('lease', 'y', 2);
        expect((await store.inboxClaim('lease', 'alive', 1, 200)).map((e) => e.eventId)).toEqual(['x']);
        expect((await store.inboxClaim('lease', 'dead', 1, 1)).map((e) => e.eventId)).toEqual(['y']);
        await new Promise((r) => setTimeout(r, 20));
        await store.inboxRenew('lease', 'alive', 60_000);
        await new Promise((r) => setTimeout(r, 250));
        // y's lease (1 ms) has run out: taken over; x's was renewed: kept.
        expect((await store.inboxClaim('lease', 'other', 10, 60_000)).map((e) => [e.eventId, e.deliveries])).toEqual([['y', 2]]);
      });

      it('hands each entry to one claimer when two connections claim at once', async () => {
        const [a, b] = await twoConnections();
        for (let i = 0; i < 40; i++) await a.inboxPut('race', `e${i}`, i);
        const claims = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).inboxClaim('race', `w${i}`, 5, 60_000)));
        const ids = claims.flat().map((e) => e.eventId);
        expect(new Set(ids).size).toBe(ids.length);
        // Whatever a lost race left free is still there for the next claim.
        const rest = await a.inboxClaim('race', 'sweeper', 100, 60_000);
        expect(new Set([...ids, ...rest.map((e) => e.eventId)]).size).toBe(40);
        expect(ids.length + rest.length).toBe(40);
      });
    });

    describe('traces', () => {
      it('returns a trace in start order with every field round-tripping', async () => {
        const store = await fresh();
        const root = span('run-1', '1', 100, { kind: 'run', name: 'refund', durationMs: 42.5, attributes: { usage: { inputTokens: 10 } } });
        const model = span('run-1', '2', 101, { kind: 'model', parentId: '1', attributes: JSON_SAMPLES.unicode as Record<string, unknown> });
        const failed = span('run-1', '3', 102, {
          kind: 'tool', parentId: '1', status: 'error', error: { name: 'TimeoutError', code: 'TIMEOUT', message: 'refund timed out' },
        });
        const other = span('run-2', '1', 50);
        // Written as a tracer does: children finish (and arrive) before their parent.
        await store.appendSpans([failed, model]);
        await store.appendSpans([other, root]);
        await store.appendSpans([]);
        const trace = await store.getTrace('run-1');
        expect(trace.map((s) => s.spanId)).toEqual(['1', '2', '3']);
        expect(trace[0]).toEqual(root);
        expect(trace[0]!.parentId).toBeUndefined();
        expect(trace[1]).toStrictEqual(model);
        expect(trace[2]).toStrictEqual(failed);
        expect(await store.getTrace('run-2')).toEqual([other]);
      });

      it('keeps the write order of spans that started in the same millisecond, across big batches', async () => {
        const store = await fresh();
        const spans = Array.from({ length: 1_203 }, (_, i) => span('big', String(i), 7, { attributes: { i } }));
        await store.appendSpans(spans);
        const trace = await store.getTrace('big');
        expect(trace).toHaveLength(1_203);
        expect(trace.map((s) => s.attributes.i)).toEqual(spans.map((_, i) => i));
      });
    });

    describe('concurrency', () => {
      it('20 concurrent recordDecision calls for one event, over two connections: exactly one stores', async () => {
        const [a, b] = await twoConnections();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).recordDecision('consumer', 'evt-race', { winner: i })),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect((await a.getDecision('consumer', 'evt-race'))!.decision).toEqual({ winner });
        expect(await b.countDecisions('consumer')).toBe(1);
      });

      it('concurrent decisions on one approval, over two connections: exactly one wins, the rest are told who did', async () => {
        const [a, b] = await twoConnections();
        await a.createApproval(approval('contested'));
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? a : b).decideApproval('contested', { status: i % 3 ? 'approved' : 'rejected', by: `reviewer-${i}` }),
          ),
        );
        const won = outcomes.filter((o): o is PromiseFulfilledResult<ApprovalRecord> => o.status === 'fulfilled');
        expect(won).toHaveLength(1);
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(lost).toHaveLength(9);
        for (const l of lost) {
          expect(l.reason).toBeInstanceOf(ApprovalAlreadyDecided);
          expect((l.reason as ApprovalAlreadyDecided).decidedBy).toBe(won[0]!.value.decidedBy);
        }
        expect(await b.getApproval('contested')).toStrictEqual(won[0]!.value);
      });

      it('concurrent escalations of one approval, over two connections: one re-assigns and writes one audit entry', async () => {
        const [a, b] = await twoConnections();
        await a.createApproval(approval('esc', { reviewer: 'ops', deadline: 100 }));
        const asRead = { reviewer: 'ops', deadline: 100 };
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? a : b).reassignApproval('esc', { reviewer: 'director', deadline: 200 + i, expect: asRead }, audit('esc', `escalated-${i}`)),
          ),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ApprovalChanged);
        expect(await b.listAudit({ approvalId: 'esc' })).toHaveLength(1);
        expect(await a.getApproval('esc')).toMatchObject({ reviewer: 'director', escalatedFrom: 'ops' });
      });

      it('concurrent consumers of one approval, over two connections: exactly one uses it, one audit entry', async () => {
        const [a, b] = await twoConnections();
        await a.createApproval(approval('once'));
        await a.decideApproval('once', { status: 'approved', by: 'finance-lead' });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).consumeApproval('once', { consumer: `exec-${i}` }, audit('once', 'consumed'))),
        );
        const won = outcomes.filter((o): o is PromiseFulfilledResult<ApprovalRecord> => o.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ApprovalNotUsable);
        expect((await b.getApproval('once'))!.consumedBy).toBe(won[0]!.value.consumedBy);
        expect(await b.listAudit({ approvalId: 'once' })).toHaveLength(1);
      });

      it('writes from two connections are visible to each other', async () => {
        const [a, b] = await twoConnections();
        await a.putRun(run('shared'));
        await b.putCheckpoint('shared', 'step:1', { ok: true });
        expect((await b.getRun('shared'))!.workflow).toBe('refund-approval');
        expect(await a.getCheckpoints('shared')).toEqual(new Map([['step:1', { ok: true }]]));
      });
    });

    describe('durability and migrations', () => {
      it('persists across close and reopen, and migrations apply once', async () => {
        const open = await newLocation();
        const first = await open();
        expect(await schemaVersion(first)).toBe(LATEST_VERSION);
        await first.putRun(run('durable', { status: 'suspended', state: JSON_SAMPLES.nested }));
        await first.putCheckpoint('durable', 'model:1', { text: 'kept' });
        await first.createApproval(approval('ap-durable', { runId: 'durable' }));
        await first.appendSpans([span('durable', '1', 1)]);
        await first.kvPut('ns', 'k', JSON_SAMPLES.unicode);
        await first.recordDecision('c', 'e', 'kept');
        await first.close();
        await first.close(); // closing twice is harmless

        const second = await track(open());
        expect(await schemaVersion(second)).toBe(LATEST_VERSION);
        expect(await second.getRun('durable')).toStrictEqual(run('durable', { status: 'suspended', state: JSON_SAMPLES.nested }));
        expect(await second.getCheckpoints('durable')).toEqual(new Map([['model:1', { text: 'kept' }]]));
        expect((await second.findApproval('durable', 'key-ap-durable'))!.approvalId).toBe('ap-durable');
        expect(await second.getTrace('durable')).toHaveLength(1);
        expect(await second.kvGet('ns', 'k')).toStrictEqual(JSON_SAMPLES.unicode);
        expect(await second.recordDecision('c', 'e', 'again')).toBe(false);
        expect(await migrationRows(second)).toBe(MIGRATIONS.length);
      });

      it('several stores opening one fresh location at once all migrate cleanly', async () => {
        const open = await newLocation();
        const stores = await Promise.all([track(open()), track(open()), track(open())]);
        for (const s of stores) expect(await schemaVersion(s)).toBe(LATEST_VERSION);
        expect(await migrationRows(stores[0]!)).toBe(MIGRATIONS.length);
        await stores[0]!.kvPut('ns', 'k', 1);
        expect(await stores[2]!.kvGet('ns', 'k')).toBe(1);
      });
    });

    sessionContract(newLocation);
  });
}

interface Migrated {
  schemaVersion(): Promise<number>;
  appliedMigrations(): Promise<AppliedMigration[]>;
}

async function schemaVersion(store: Store): Promise<number> {
  return (store as unknown as Migrated).schemaVersion();
}

/** Rows in the migrations table, checked to be one per version (never a duplicate); returns how many. */
async function migrationRows(store: Store): Promise<number> {
  const applied = await (store as unknown as Migrated).appliedMigrations();
  expect(applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
  expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
  return applied.length;
}
