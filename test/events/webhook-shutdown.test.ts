/**
 * Accepted means durable, end to end with the built CLI, on SQLite and on PostgreSQL: a webhook worker
 * accepts 200 events (202 each), is sent SIGTERM mid-way (a normal deploy), answers 503 + Retry-After to what
 * arrives after that, finishes its in-flight events, exits 0 and says how many it leaves in the inbox; a new
 * worker process on the same address takes them over and decides every one. Nothing accepted is lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { generateFraudEvents } from '../../examples/vend/fraud-events.js';
import { signWebhook } from '../../src/events/webhook.js';
import { openStore } from '../../src/store/open.js';
import { freePort, requireService } from '../support/services.js';

const SECRET = 'shutdown-test-secret';
const CLI = join(process.cwd(), 'bin', 'agent-patterns.js');

function worker(port: number, store: string, extra: string[]) {
  const proc = spawn(process.execPath, [CLI, 'worker', '--source', `webhook://127.0.0.1:${port}`, '--store', store, '--group', 'hooks', ...extra], {
    env: { ...process.env, AGENT_PATTERNS_WEBHOOK_SECRET: SECRET, AGENT_PATTERNS_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  proc.stdout.on('data', (c) => (out.stdout += c));
  proc.stderr.on('data', (c) => (out.stderr += c));
  return { proc, out, exit: new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code))) };
}

function post(port: number, payload: unknown): Promise<{ status: number; retryAfter?: string }> {
  const body = JSON.stringify(payload);
  const ts = Math.floor(Date.now() / 1000);
  return new Promise((resolve, reject) => {
    const req = request(
      `http://127.0.0.1:${port}/events`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-timestamp': String(ts), 'x-signature': signWebhook(SECRET, ts, body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const leftOf = (stderr: string) => (JSON.parse(/worker: stopped (\{.*\})/.exec(stderr)?.[1] ?? '{}') as { left?: number }).left;

describe.each(['sqlite', 'postgres'] as const)('webhook worker shutdown on %s: accepted means durable', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-shutdown-'));
  const dbName = `shutdown_${randomBytes(4).toString('hex')}`;
  const spawned: ChildProcess[] = [];
  let admin: pg.Client | undefined;
  afterAll(async () => {
    for (const p of spawned) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
      await admin.end();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('200 accepted events, SIGTERM mid-way: later events get 503, a new worker finishes every accepted one, 0 lost', async () => {
    let target = join(dir, 'state.db');
    if (backend === 'postgres') {
      const server = requireService('pg');
      admin = new pg.Client({ connectionString: server });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${dbName}`);
      const u = new URL(server);
      u.pathname = `/${dbName}`;
      target = u.toString();
    }
    const port = await freePort();
    const events = generateFraudEvents(200, { duplicateRate: 0, prefix: `sd-${backend}` });
    const ids = new Set(events.map((e) => e.id));

    // A slow first worker (400 ms a decision, 4 at a time), so most accepted events are still waiting at SIGTERM.
    const first = worker(port, target, ['--concurrency', '4', '--delay-ms', '400']);
    spawned.push(first.proc);
    await waitUntil('the first worker to listen', () => first.out.stderr.includes('listening on'));
    for (let i = 0; i < events.length; i += 20) {
      const statuses = await Promise.all(events.slice(i, i + 20).map((e) => post(port, e.payload)));
      expect(statuses.map((s) => s.status)).toEqual(Array(statuses.length).fill(202));
    }

    const store = await openStore(target);
    try {
      await waitUntil('a few decisions', async () => (await store.countDecisions('hooks')) >= 8);
      first.proc.kill('SIGTERM');
      await waitUntil('the worker to take the signal', () => first.out.stderr.includes('SIGTERM: taking no new events'));
      // Still finishing its in-flight events (each takes 400 ms): what arrives now is refused, not dropped.
      const [late] = generateFraudEvents(1, { duplicateRate: 0, prefix: `late-${backend}` });
      expect(await post(port, late!.payload)).toEqual({ status: 503, retryAfter: '5' });
      expect(await first.exit, first.out.stderr).toBe(0);

      const decidedByFirst = await store.countDecisions('hooks');
      const left = leftOf(first.out.stderr);
      expect(decidedByFirst).toBeLessThan(200);
      expect(left).toBe(200 - decidedByFirst);
      expect(await store.inboxCount('hooks')).toBe(left);

      // A new worker process on the same address (fast this time) takes the inbox over.
      const second = worker(port, target, ['--concurrency', '16']);
      spawned.push(second.proc);
      await waitUntil('every accepted event decided', async () => (await store.countDecisions('hooks')) === 200);
      second.proc.kill('SIGTERM');
      expect(await second.exit, second.out.stderr).toBe(0);
      expect(leftOf(second.out.stderr)).toBe(0);

      const decisions = await store.listDecisions({ consumer: 'hooks', limit: 1000 });
      expect(new Set(decisions.map((d) => d.eventId))).toEqual(ids); // each accepted event, once; the refused one not
      expect(await store.listDeadLetters({ consumer: 'hooks' })).toEqual([]);
      expect(await store.inboxCount('hooks')).toBe(0);
      // Both workers printed what they decided: together, every event.
      const printed = `${first.out.stdout}${second.out.stdout}`.trim().split('\n').map((l) => (JSON.parse(l) as { event_id: string }).event_id);
      expect(new Set(printed)).toEqual(ids);
    } finally {
      await store.close();
    }
  }, 180_000);
});
