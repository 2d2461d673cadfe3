/**
 * The crash loop (issue 13, "done when"): 30 durable refund runs, each worker
 * SIGKILLed right before a store write picked at random over the run's whole
 * life (start, approval request, the reviewer's decision, the approval's use,
 * the refund itself, every checkpoint and span batch; every position at
 * least once), then a new worker takes the run over, and may be killed again. At the end: every run
 * completed (0 lost), exactly one refund per run in a ledger that does not
 * deduplicate (0 duplicate side effects), and every approval's audit trail
 * whole: requested, approved, consumed, each once (0 audit gaps).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { requireService } from '../support/services.js';
import { transpileProject } from './transpile.js';

const WORKER = join(import.meta.dirname, 'crash-loop-child.mjs');
const RUNS = 30;
/** Runs worked on at once (each by one worker at a time), so the loop fits its time on two cores. */
const LANES = 5;
let build: string;
let dir: string;

beforeAll(() => {
  build = transpileProject('ap-crash-loop');
  dir = mkdtempSync(join(tmpdir(), 'ap-crash-loop-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(build, { recursive: true, force: true });
});

function worker(target: string, runId: string, killLog: string, killAt: number): Promise<{ killed: boolean; writes?: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [WORKER, build, target, runId, killLog], { env: { ...process.env, KILL_AT: String(killAt) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true });
      else if (code === 0) resolve({ killed: false, writes: (JSON.parse(out.trim().split('\n').at(-1)!) as { writes: number }).writes });
      else reject(new Error(`worker for ${runId} exited ${code}: ${err.slice(0, 2000)}`));
    });
  });
}

/** A small seeded generator, so a failing loop can be replayed (the seed is in the test's output). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const targets: [string, () => string][] = [
  ['SQLite', () => join(dir, 'loop.db')],
  ['PostgreSQL', () => requireService('pg')],
];

describe.each(targets)('crash loop (%s)', (label, targetOf) => {
  it(`${RUNS} refund runs, each killed at a random store write and resumed: 0 duplicate refunds, 0 lost runs, 0 audit gaps`, async () => {
    const target = targetOf();
    const stamp = `${label}-${Date.now()}`;
    const killLog = join(dir, `kills-${stamp}.log`);
    const seed = Number(process.env.CRASH_LOOP_SEED ?? Date.now() % 1_000_000);
    const next = random(seed);

    // One uninterrupted run tells how many store writes a run's whole life takes.
    const calibration = await worker(target, `calibrate-${stamp}`, killLog, 0);
    const lifetimeWrites = calibration.writes!;
    expect(lifetimeWrites).toBeGreaterThan(10);

    const runIds = Array.from({ length: RUNS }, (_, i) => `loop-${stamp}-${i}`);
    // Each run's first kill: the write positions in a random order, so every position is hit at least once.
    const positions = Array.from({ length: lifetimeWrites }, (_, i) => i + 1);
    for (let i = positions.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [positions[i], positions[j]] = [positions[j]!, positions[i]!];
    }
    const firstKill = new Map(runIds.map((id, i) => [id, positions[i % positions.length]!]));
    const lives = new Map<string, number>();
    const lane = async (ids: string[]) => {
      for (const runId of ids) {
        // The first life is always killed (the point lies within a whole run's writes); later lives may be too.
        for (let life = 1; ; life++) {
          expect(life, `run ${runId} (seed ${seed})`).toBeLessThanOrEqual(10);
          const killAt = life === 1 ? firstKill.get(runId)! : 1 + Math.floor(next() * lifetimeWrites);
          const { killed } = await worker(target, runId, killLog, killAt);
          if (!killed) break;
          lives.set(runId, life);
        }
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, l) => lane(runIds.filter((_, i) => i % LANES === l))));

    const kills = existsSync(killLog) ? readFileSync(killLog, 'utf8').trim().split('\n').filter((l) => l.startsWith('loop-')) : [];
    const store = await openStore(target);
    try {
      const lost: string[] = [];
      const duplicates: string[] = [];
      const gaps: string[] = [];
      const ledger = await store.kvList('crash-loop-ledger');
      for (const runId of runIds) {
        const run = await store.getRun(runId);
        if (run?.status !== 'completed' || (run.output as { path?: string }).path !== 'refunded') lost.push(`${runId}: ${run?.status}`);
        const refunds = ledger.filter((e) => e.key.startsWith(`${runId}|`)).length;
        if (refunds !== 1) duplicates.push(`${runId}: ${refunds} refunds`);
        for (const approval of await store.listApprovals({ runId })) {
          const trail = (await store.listAudit({ approvalId: approval.approvalId })).map((e) => e.action).join(',');
          if (trail !== 'requested,approved,consumed') gaps.push(`${runId}: ${trail}`);
        }
      }
      const points = new Set(kills.map((l) => l.split(' ')[1]));
      const methods = [...new Set(kills.map((l) => l.split(' ')[2]))].sort();
      console.info(
        `crash loop ${label}: seed ${seed}, ${RUNS} runs, ${kills.length} SIGKILLs at ${points.size} of ${lifetimeWrites} write positions ` +
          `(${methods.join(', ')}), ${lost.length} lost, ${duplicates.length} duplicate, ${gaps.length} audit gaps`,
      );
      expect({ lost, duplicates, gaps }).toEqual({ lost: [], duplicates: [], gaps: [] });
      expect(lives.size).toBe(RUNS); // every run was killed at least once
      expect(points.size).toBe(Math.min(RUNS, lifetimeWrites)); // at every write position
    } finally {
      await store.close();
    }
  }, 180_000);
});
