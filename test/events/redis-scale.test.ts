/**
 * Scale-out, end to end: three worker processes (the built CLI) share one
 * Redis stream through a consumer group and one PostgreSQL store; one is
 * SIGKILLed midway. Every distinct event must end with exactly one decision,
 * nothing pending, no dead letters, and the survivors must exit 0 on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFraudEvents } from '../../examples/vend/fraud-events.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { requireService } from '../support/services.js';

const CLI = join(process.cwd(), 'bin', 'agent-patterns.js');

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AGENT_PATTERNS_LOG_LEVEL: 'error' } });
}

function exited(p: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  p.stdout?.on('data', (c) => (stdout += c));
  p.stderr?.on('data', (c) => (stderr += c));
  return new Promise((resolve) => p.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

async function waitUntil(what: string, cond: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Redis Streams scale-out with a PostgreSQL store', () => {
  const tag = randomBytes(4).toString('hex');
  const dbName = `events_${tag}`;
  const stream = `fraud-${tag}`;
  const group = 'fraud-events';
  let redisUrl: string;
  let storeUrl: string;
  let admin: pg.Client;
  let redis: Redis;
  let store: Store | undefined;
  let dir: string;
  const spawned: ChildProcess[] = [];

  beforeAll(async () => {
    redisUrl = requireService('redis');
    const pgUrl = requireService('pg');
    admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const u = new URL(pgUrl);
    u.pathname = `/${dbName}`;
    storeUrl = u.toString();
    redis = new Redis(redisUrl);
    dir = mkdtempSync(join(tmpdir(), 'events-scale-'));
  });

  afterAll(async () => {
    // A failed run must not leave workers behind.
    for (const p of spawned) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await store?.close();
    await redis?.del(stream, `${stream}:decisions`).catch(() => {});
    redis?.disconnect();
    await admin?.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin?.end();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('3 workers, 5,000 events with 10% duplicates, one worker SIGKILLed: each distinct event decided exactly once, nothing pending', async () => {
    const events = generateFraudEvents(5000, { duplicateRate: 0.1, prefix: tag });
    const distinct = new Set(events.map((e) => e.id));
    expect(distinct.size).toBe(4500);
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, events.map((e) => JSON.stringify(e.payload)).join('\n') + '\n');

    const pub = await exited(cli(['events', 'publish', `${redisUrl}/${stream}`, '--file', file]));
    expect(pub.code, pub.stderr).toBe(0);
    expect(await redis.xlen(stream)).toBe(5000);

    const workerArgs = (name: string) => [
      'worker', '--source', `${redisUrl}/${stream}`, '--group', group, '--name', name, '--store', storeUrl,
      '--concurrency', '16', '--claim-idle-ms', '1500', '--block-ms', '200', '--delay-ms', '2',
    ];
    const workers = ['w0', 'w1', 'w2'].map((name) => cli(workerArgs(name)));
    spawned.push(...workers);
    const exits = workers.map(exited);

    store = await openStore(storeUrl);
    await waitUntil('a third of the decisions', async () => (await store!.countDecisions(group)) >= 1500, 90_000);
    workers[0]!.kill('SIGKILL');
    const killed = await exits[0]!;
    expect(killed.signal).toBe('SIGKILL');
    // What the dead worker held: pulled, never acked. The survivors must claim it.
    const heldByDead = (await redis.xpending(stream, group, '-', '+', 1000, 'w0')) as unknown[];
    expect(heldByDead.length).toBeGreaterThan(0);

    const pendingCount = async () => Number(((await redis.xpending(stream, group)) as [number])[0]);
    await waitUntil('every event decided and nothing pending', async () => (await store!.countDecisions(group)) === 4500 && (await pendingCount()) === 0, 90_000);
    // What the dead worker stored but had not published (or not marked) is published by the survivors' outbox drain.
    await waitUntil('an empty outbox', async () => (await store!.listUnpublished(group)).length === 0, 60_000);

    workers[1]!.kill('SIGTERM');
    workers[2]!.kill('SIGTERM');
    const [s1, s2] = await Promise.all([exits[1]!, exits[2]!]);
    expect(s1.code, s1.stderr).toBe(0);
    expect(s2.code, s2.stderr).toBe(0);

    // Exactly one decision per distinct event, none lost, none dead-lettered, nothing pending.
    const decisions = await store.listDecisions({ consumer: group, limit: 10_000 });
    expect(decisions).toHaveLength(4500);
    expect(new Set(decisions.map((d) => d.eventId))).toEqual(distinct);
    expect(await store.listDeadLetters({ consumer: group })).toEqual([]);
    expect(await pendingCount()).toBe(0);
    const listed = await exited(cli(['decisions', 'list', '--json', '--store', storeUrl, '--consumer', group, '--limit', '3']));
    expect(listed.code, listed.stderr).toBe(0);
    const rows = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { eventId: string; decision: { action: string } });
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(distinct.has(r.eventId) && ['block', 'flag', 'allow'].includes(r.decision.action)).toBe(true);
    // Every stored decision is published at least once, the dead worker's stored-but-unpublished ones included
    // (drained from the outbox by the survivors; both may publish one, so a few repeat).
    const entries = (await redis.xrange(`${stream}:decisions`, '-', '+')) as [string, string[]][];
    expect(new Set(entries.map(([, fields]) => fields[fields.indexOf('id') + 1]))).toEqual(distinct);
  }, 240_000);
});
