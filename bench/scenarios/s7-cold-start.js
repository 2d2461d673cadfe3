/**
 * S7 — cold start, measured from outside: fresh processes, wall time is the clock around the spawn,
 * peak RSS and CPU come from GNU `time -f '%M %U %S'` of the node process. Cases: `import` of the root
 * entry and `first_run` (bench/cold/*), for agent-patterns and for the anchor `ai` (Vercel AI SDK) in the
 * same run, and the floor `node -e 0`. One unmeasured process per case first (page cache), then 10 rounds,
 * each running every case once in an order rotated per round; medians and min–max over the 10.
 * Without GNU time (Debian: apt-get install time) wall times are still measured and RSS/CPU are absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { emit, median, round } from '../lib.js';

const ROUNDS = Number(process.env.BENCH_S7_ROUNDS ?? 10); // SCENARIOS.md: 10 (override only to diagnose)
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p) && isGnuTime(p));
const cold = (file) => fileURLToPath(new URL(`../cold/${file}`, import.meta.url));

const CASES = {
  floor: ['-e', '0'],
  import: ['-e', "await import('agent-patterns')"],
  ai_import: ['-e', "await import('ai')"],
  first_run: [cold('first-run-agent-patterns.js')],
  ai_first_run: [cold('first-run-ai.js')],
};

function isGnuTime(path) {
  const r = spawnSync(path, ['-f', '%M', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /^\d+\s*$/.test(r.stderr);
}

const scratch = mkdtempSync(join(tmpdir(), 'ap-s7-'));

/** One fresh process: wall ms (clock around the spawn), and with GNU time its peak RSS MB and CPU ms. */
function once(args) {
  const out = join(scratch, 'time');
  const [cmd, argv] = GNU_TIME ? [GNU_TIME, ['-o', out, '-f', '%M %U %S', process.execPath, ...args]] : [process.execPath, args];
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`S7 ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  if (!GNU_TIME) return { wall };
  const [rssKb, user, sys] = readFileSync(out, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
  return { wall, rss: rssKb / 1024, cpu: (user + sys) * 1000 };
}

const names = Object.keys(CASES);
const samples = Object.fromEntries(names.map((n) => [n, []]));
for (const n of names) once(CASES[n]); // page cache
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < names.length; i++) {
    const n = names[(i + round) % names.length];
    samples[n].push(once(CASES[n]));
  }
}
rmSync(scratch, { recursive: true, force: true });

const stat = (n, key) => {
  const values = samples[n].map((s) => s[key]).filter((v) => typeof v === 'number');
  return values.length ? { median: median(values), min: Math.min(...values), max: Math.max(...values) } : undefined;
};
const metrics = {};
const detail = {};
for (const n of names) {
  const wall = stat(n, 'wall');
  metrics[`${n}_ms`] = round(wall.median, 1);
  detail[n] = { wall_ms: [round(wall.min, 1), round(wall.max, 1)] };
  if (n !== 'floor') metrics[`${n}_x_floor`] = round(wall.median / median(samples.floor.map((s) => s.wall)), 2);
  const rss = stat(n, 'rss');
  const cpu = stat(n, 'cpu');
  if (rss) {
    metrics[`${n}_rss_mb`] = round(rss.median, 1);
    metrics[`${n}_cpu_ms`] = round(cpu.median, 0);
    detail[n].rss_mb = [round(rss.min, 1), round(rss.max, 1)];
  }
}
metrics.import_vs_ai = round(metrics.import_ms / metrics.ai_import_ms, 3);
metrics.first_run_vs_ai = round(metrics.first_run_ms / metrics.ai_first_run_ms, 3);

const ai = JSON.parse(readFileSync(join(ROOT, 'node_modules/ai/package.json'), 'utf8')).version;
emit('S7', metrics, { rounds: ROUNDS, anchor: `ai ${ai}`, min_max: detail, gnu_time: GNU_TIME ?? 'absent: apt-get install time for peak RSS and CPU' });
