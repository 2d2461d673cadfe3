/**
 * A worker (the built CLI) against a real redis-server of its own that loses its data: FLUSHALL (a failover to
 * an empty replica), then a restart without persistence, then an outage that does not end. The worker must
 * re-create its consumer group and go on deciding, log each outage once (never ioredis's "Unhandled error
 * event"), and exit non-zero once Redis has been unreachable longer than --redis-down-ms. And the Redis
 * commands must fail fast, in one line, when Redis cannot be reached at all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { generateFraudEvents } from '../../examples/vend/fraud-events.js';
import { redisPublisher } from '../../src/events/redis-streams.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { startRedisServer, type RedisServer } from '../support/services.js';

const CLI = join(process.cwd(), 'bin', 'agent-patterns.js');

function cli(args: string[]): { proc: ChildProcess; out: { stdout: string; stderr: string }; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AGENT_PATTERNS_LOG_LEVEL: 'warn' } });
  const out = { stdout: '', stderr: '' };
  proc.stdout!.on('data', (c) => (out.stdout += c));
  proc.stderr!.on('data', (c) => (out.stderr += c));
  return { proc, out, exit: new Promise((resolve) => proc.once('close', (code) => resolve(code))) };
}

async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Redis workers survive Redis coming back empty', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-outage-'));
  const spawned: ChildProcess[] = [];
  const servers: RedisServer[] = [];
  afterAll(async () => {
    for (const p of spawned) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-creates the group after FLUSHALL and after a restart without data, logs each outage once, and exits 1 when Redis stays away', async () => {
    let redis = await startRedisServer();
    servers.push(redis);
    const { port, url } = redis;
    const storeFile = join(dir, 'decisions.db');
    const events = generateFraudEvents(15, { duplicateRate: 0, prefix: 'out' });
    const publish = async (from: number, to: number) => {
      const pub = await redisPublisher(url, 'pay');
      await pub.publishMany(events.slice(from, to));
      await pub.close();
    };
    const store = await SqliteStore.open(storeFile);
    const decided = () => store.countDecisions('fraud-events');

    const worker = cli(['worker', '--source', `${url}/pay`, '--store', storeFile, '--block-ms', '200', '--redis-down-ms', '2500']);
    spawned.push(worker.proc);
    try {
      await waitUntil('the worker to start', () => worker.out.stderr.includes('worker: consuming'));
      await publish(0, 5);
      await waitUntil('5 decisions', async () => (await decided()) === 5);

      // Failover to an empty replica: the stream and its group are gone; new events arrive on a new stream.
      const admin = new Redis(url);
      await admin.flushall();
      admin.disconnect();
      await publish(5, 10);
      await waitUntil('10 decisions after FLUSHALL', async () => (await decided()) === 10);

      // A restart without persistence: down for a while (ioredis retries many times meanwhile), back empty.
      await redis.stop();
      await new Promise((r) => setTimeout(r, 1200));
      redis = await startRedisServer(port);
      servers.push(redis);
      await publish(10, 15);
      await waitUntil('15 decisions after the restart', async () => (await decided()) === 15);
      expect(worker.proc.exitCode).toBeNull(); // alive and well

      // Gone for good: past --redis-down-ms the worker says it is unhealthy and exits non-zero.
      await redis.stop();
      const code = await Promise.race([worker.exit, new Promise<string>((r) => setTimeout(() => r('still running'), 20_000))]);
      expect(code, worker.out.stderr).toBe(1);
    } finally {
      await store.close();
    }
    const { stderr } = worker.out;
    expect(stderr).toMatch(/agent-patterns: Redis at 127\.0\.0\.1:\d+ unreachable for more than 2500 ms; this worker is unhealthy/);
    expect(stderr).not.toMatch(/Unhandled error event/);
    expect(stderr.match(/consumer group missing/g)?.length).toBeGreaterThanOrEqual(2); // once per data loss (FLUSHALL, restart)
    // Once per outage and per part that noticed it (the source's two connections as one, the decisions publisher),
    // not once per reconnect attempt: two outages.
    const lost = stderr.match(/Redis connection lost/g)?.length ?? 0;
    expect(lost).toBeGreaterThanOrEqual(2);
    expect(lost).toBeLessThanOrEqual(4);
    expect(stderr.match(/Redis connection restored/g)?.length).toBeLessThanOrEqual(2);
  }, 120_000);

  it('`events publish` and `worker` fail in one line with a non-zero exit when Redis cannot be reached', async () => {
    const file = join(dir, 'one.jsonl');
    writeFileSync(file, JSON.stringify(generateFraudEvents(1, { duplicateRate: 0 })[0]!.payload) + '\n');
    for (const args of [
      ['events', 'publish', 'redis://127.0.0.1:1/pay', '--file', file],
      ['worker', '--source', 'redis://127.0.0.1:1/pay', '--store', join(dir, 'w.db'), '--connect-timeout-ms', '2000'],
    ]) {
      const run = cli(args);
      spawned.push(run.proc);
      const code = await Promise.race([run.exit, new Promise<string>((r) => setTimeout(() => r('still running'), 20_000))]);
      expect(code, args.join(' ')).toBe(1);
      const lines = run.out.stderr.trim().split('\n');
      expect(lines, run.out.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^agent-patterns: SOURCE_UNAVAILABLE: cannot reach Redis at 127\.0\.0\.1:1: .*ECONNREFUSED/);
    }
  }, 60_000);
});
