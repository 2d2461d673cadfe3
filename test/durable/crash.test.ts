/**
 * Durability across real processes: runs are killed with SIGKILL (no
 * cleanup, no flush) and resumed by other processes; the store alone
 * carries the state. On SQLite and on a real PostgreSQL.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { runChild, type ChildResult } from '../support/child.js';
import { requireService } from '../support/services.js';
import { transpileProject } from './transpile.js';

const CHILD = join(import.meta.dirname, 'child.mjs');
let build: string;
let dir: string;

beforeAll(() => {
  build = transpileProject('ap-durable-test');
  dir = mkdtempSync(join(tmpdir(), 'ap-crash-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(build, { recursive: true, force: true });
});

/** Runs the child; with `killAfterFirstLine` it is SIGKILLed as soon as it has printed its result line. */
function child(args: string[], opts: { env?: Record<string, string>; killAfterFirstLine?: boolean } = {}): Promise<ChildResult> {
  return runChild(CHILD, [build, ...args], opts);
}

const json = (r: ChildResult) => JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { status: string; output?: any; pending?: string[]; usage: { modelTurns: number; toolCalls: number } };
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);

const targets: [string, () => string][] = [
  ['SQLite', () => join(dir, 'state.db')],
  ['PostgreSQL', () => requireService('pg')],
];

describe.each(targets)('crash and resume across processes (%s)', (label, targetOf) => {
  it('SIGKILL while waiting for approval → approve from another process → resume: the refund ran exactly once', async () => {
    const target = targetOf();
    const runId = `refund-${label}-${Date.now()}`;
    const effects = join(dir, `${runId}.effects`);

    const started = await child(['start-refund', target, runId, effects], { killAfterFirstLine: true });
    expect(started.signal).toBe('SIGKILL');
    const s = json(started);
    expect(s.status).toBe('suspended');
    expect(s.pending).toHaveLength(1);
    expect(lines(effects)).toEqual([]);

    // The reviewer works in another process, through the CLI.
    const listed = await child(['cli', 'approvals', 'list', '--json', '--run', runId, '--store', target]);
    expect(listed.code).toBe(0);
    const [approval] = JSON.parse(listed.stdout) as { approvalId: string; reviewer: string; args: unknown; evidence: { gathered: { fraud_score: number } }; recommendation: string }[];
    expect(approval).toMatchObject({ approvalId: s.pending![0], reviewer: 'finance-lead', args: { order_id: '1045', amount: 420 } });
    expect(approval!.evidence.gathered.fraud_score).toBe(0.02);
    expect(approval!.recommendation).toMatch(/^approve: /);
    const cliChecks = label === 'SQLite'; // the CLI's error paths do not depend on the backend: checked once
    if (cliChecks) {
      const wrong = await child(['cli', 'approvals', 'approve', approval!.approvalId, '--reviewer', 'intern', '--store', target]);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('REVIEWER_MISMATCH');
    }
    const ok = await child(['cli', 'approvals', 'approve', approval!.approvalId, '--reviewer', 'finance-lead', '--comment', 'photos checked', '--store', target]);
    expect(ok.code).toBe(0);
    if (cliChecks) {
      const twice = await child(['cli', 'approvals', 'reject', approval!.approvalId, '--reviewer', 'finance-lead', '--store', target]);
      expect(twice.stderr).toContain('APPROVAL_ALREADY_DECIDED');
    }

    const resumed = json(await child(['resume', target, runId, effects]));
    expect(resumed.status).toBe('completed');
    expect(resumed.output).toMatchObject({ path: 'refunded', approval: { approved: true, reviewer: 'finance-lead', comment: 'photos checked' }, refund: { amount: 420 } });
    expect(lines(effects)).toEqual(['issue refund:1045:420.00']);
    // Recorded model calls were not repeated: recommend (1 turn) + draft (1 turn).
    expect(resumed.usage.modelTurns).toBe(2);

    const again = await child(['resume', target, runId, effects]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('RUN_ALREADY_COMPLETED');
    const shown = await child(['cli', 'runs', 'show', runId, '--store', target]);
    expect(shown.stdout).toContain('completed');
    expect(shown.stdout).toContain('finance-lead approved');
  });

  it('SIGKILL mid-run after some tool calls → resume repeats no recorded model or tool call', async () => {
    const target = targetOf();
    const runId = `lookups-${label}-${Date.now()}`;
    const effects = join(dir, `${runId}.effects`);
    const crashed = await child(['start-lookups', target, runId, effects], { env: { CRASH_AT: 'lookup-c' } });
    expect(crashed.signal).toBe('SIGKILL');
    expect(lines(effects)).toEqual(['model', 'lookup a', 'model', 'lookup b', 'model']);

    const resumed = json(await child(['resume', target, runId, effects]));
    expect(resumed.status).toBe('completed');
    expect(resumed.output).toBe('got ABCD');
    expect(lines(effects)).toEqual(['model', 'lookup a', 'model', 'lookup b', 'model', 'lookup c', 'model', 'lookup d', 'model']);
    expect(resumed.usage).toMatchObject({ modelTurns: 5, toolCalls: 4 });
  });

  it('SIGKILL between an irreversible side effect and its record → reconciled by idempotency key, not repeated', async () => {
    const target = targetOf();
    const runId = `recon-${label}-${Date.now()}`;
    const effects = join(dir, `${runId}.effects`);
    const s = json(await child(['start-refund', target, runId, effects], { killAfterFirstLine: true }));
    const store = await openStore(target);
    try {
      const { decideApproval } = await import('../../src/hitl/decide.js');
      await decideApproval(store, s.pending![0]!, { decision: 'approve', reviewer: 'finance-lead' });
    } finally {
      await store.close();
    }
    const crashed = await child(['resume', target, runId, effects], { env: { CRASH_AT: 'after-issue' } });
    expect(crashed.signal).toBe('SIGKILL');
    expect(lines(effects)).toEqual(['issue refund:1045:420.00']);

    const resumed = json(await child(['resume', target, runId, effects]));
    expect(resumed.status).toBe('completed');
    expect(resumed.output).toMatchObject({ path: 'refunded', refund: { refund_id: 'RF-1045-42000', amount: 420 } });
    expect(lines(effects)).toEqual(['issue refund:1045:420.00']);
  });
});
