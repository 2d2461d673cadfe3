/**
 * Durability across real processes: runs are killed with SIGKILL (no
 * cleanup, no flush) and resumed by other processes; the store alone
 * carries the state. On SQLite and on a real PostgreSQL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
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

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface ChildOptions {
  env?: Record<string, string>;
  killAfterFirstLine?: boolean;
  /** Run the child as if on another machine: its own host name (a UTS namespace), or HOST_ID where that is not allowed. */
  host?: string;
}

/** Whether this machine lets us give a child its own host name (root, Linux). */
const canSetHostname = spawnSync('unshare', ['--uts', 'true']).status === 0;

function spawnChild(args: string[], opts: ChildOptions): ChildProcess {
  // A short lease, so a killed run can be taken over soon (each test that needs otherwise says so).
  const env = { ...process.env, LEASE_MS: '500', ...opts.env };
  if (opts.host && canSetHostname) {
    return spawn('unshare', ['--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', opts.host, process.execPath, CHILD, build, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  return spawn(process.execPath, [CHILD, build, ...args], { env: opts.host ? { ...env, HOST_ID: opts.host } : env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the child; with `killAfterFirstLine` it is SIGKILLed as soon as it has printed its result line. */
function child(args: string[], opts: ChildOptions = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawnChild(args, opts);
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.killAfterFirstLine && stdout.includes('\n')) p.kill('SIGKILL');
    });
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const json = (r: ChildResult) => JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { status: string; output?: any; pending?: string[]; usage: { modelTurns: number; toolCalls: number } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
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

  it('a live run on another host is never taken over; once that process dies and its lease expires, it is', async () => {
    const target = targetOf();
    const runId = `busy-${label}-${Date.now()}`;
    const effects = join(dir, `${runId}.effects`);
    // Host A runs a step that keeps working; its heartbeat renews a 600 ms lease.
    const a = spawnChild(['start-busy', target, runId, effects], { host: 'host-a', env: { LEASE_MS: '600' } });
    const aExit = new Promise((resolve) => a.on('exit', resolve));
    for (let i = 0; i < 200 && !lines(effects).includes('busy started'); i++) await sleep(50);
    expect(lines(effects)).toEqual(['busy started']);

    // Host B tries to resume it over four lease lengths: refused each time, the step never starts twice.
    for (let i = 0; i < 4; i++) {
      const r = json(await child(['resume-once', target, runId, effects], { host: 'host-b' })) as unknown as { status: string; code: string; message: string };
      expect(r).toMatchObject({ status: 'refused', code: 'RUN_IN_PROGRESS' });
      expect(r.message).toContain('host-a/');
      await sleep(600);
    }
    expect(lines(effects)).toEqual(['busy started']);

    // A dies without a word; B takes the run over once the lease has run out, and finishes it.
    a.kill('SIGKILL');
    await aExit;
    const resumed = json(await child(['resume', target, runId, effects], { host: 'host-b', env: { BUSY_MS: '10' } }));
    expect(resumed.status).toBe('completed');
    expect(lines(effects)).toEqual(['busy started', 'busy started', 'busy finished']);
    const store = await openStore(target);
    try {
      expect((await store.getRun(runId))!.lease).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
