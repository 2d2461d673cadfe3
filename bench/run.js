#!/usr/bin/env node
/**
 * The orchestration-overhead benchmark (../shared/bench/SCENARIOS.md, issue 8).
 * Each scenario runs in its own fresh `node --expose-gc` process, `--repeat`
 * times (default 3); the metrics reported are the medians over those
 * processes. Prints one JSON line per scenario on stdout, then a table of
 * each figure against its target on stderr.
 *
 *   node bench/run.js [--repeat N] [--only S1,S3] [--json] [--floor]
 *
 * --floor also runs S2-floor and S3-floor, the S2 and S3 workloads
 * hand-written without the library, to read S2 and S3 against what the
 * machine (its timers, its scheduler) does at that moment; and S3-steady,
 * the S3 burst after ten times the warm-up, to read how much of S3 is V8
 * compiling the run path during the burst.
 *
 * S6 (streaming) runs once: it spawns ours and the anchor's (`ai`) processes itself, alternating.
 * S7 (cold start) runs once: it spawns its own fresh processes, through GNU
 * `time` when installed (apt-get install time), and reports medians of 10.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median, round } from './lib.js';

const SCENARIOS = [
  { id: 'S1', file: 's1-tool-loop.js', title: 'tool-loop overhead (10 turns + 9 tools, sequential)' },
  { id: 'S2', file: 's2-fan-out.js', title: 'parallel fan-out (3 × 50 ms ∥, then 50 ms)' },
  { id: 'S3', file: 's3-concurrency.js', title: '1000 concurrent runs (2 × 20 ms turns)' },
  { id: 'S4', file: 's4-durable.js', title: 'S1 with JSONL trace file + SQLite store' },
  { id: 'S5', file: 's5-events.js', title: 'events through consume() (in-memory source, SQLite store)' },
  // S6 and S7 spawn their own fresh processes (ours and the anchor's, alternating) and take medians themselves.
  { id: 'S6', file: 's6-streaming.js', title: 'streaming overhead: 1000 deltas, against `ai` streamText in the same run', once: true },
  // S7 spawns its own fresh processes (10 rounds) and takes medians itself: one run of it, whatever --repeat says.
  { id: 'S7', file: 's7-cold-start.js', title: 'cold start: import and first run, against `ai` in the same run', once: true },
  { id: 'S2-floor', file: 's2-floor.js', title: 'S2 hand-written without the library (reference, --floor)', optional: true },
  { id: 'S3-floor', file: 's3-floor.js', title: 'S3 hand-written without the library (reference, --floor)', optional: true },
  { id: 'S3-steady', file: 's3-steady.js', title: 'S3 after 50 warm-up bursts instead of 5 (reference, --floor)', optional: true },
];

/** The S3 burst's CPU split by thread (Linux), reported beside S3, S3-floor and S3-steady. */
const THREAD_SPLIT = [
  { metric: 'main_thread_cpu_us_per_run', op: 'report' },
  { metric: 'v8_threads_cpu_us_per_run', op: 'report' },
];

/** Targets of issue 8, with the best anchor of SCENARIOS.md (Vercel AI SDK 7.0.173). */
const TARGETS = {
  S1: [
    { metric: 'p50_us_per_turn', target: 12, op: '<=', anchor: 122 },
    { metric: 'mean_us_per_turn', op: 'report' },
    { metric: 'p99_us_per_turn', op: 'report' },
    { metric: 'heap_growth_kb', target: 64, op: '<=', anchor: -20 },
    { metric: 'code_growth_kb', op: 'report' },
  ],
  S2: [{ metric: 'ratio_to_limit', target: 1.01, op: '<=', anchor: 1.026 }, { metric: 'median_wall_ms', op: 'report' }],
  S3: [
    { metric: 'wall_ms', target: 100, op: '<=', anchor: 803 },
    { metric: 'runs_per_s', target: 10000, op: '>=', anchor: 1245 },
    { metric: 'cpu_us_per_run', target: 80, op: '<=', anchor: 1416 },
    ...THREAD_SPLIT,
    { metric: 'peak_rss_mb', target: 90, op: '<=', anchor: 147 },
  ],
  S4: [
    { metric: 'p50_us_per_turn', op: 'report' },
    { metric: 'mean_us_per_turn', op: 'report' },
    { metric: 'heap_growth_kb', op: 'report' },
  ],
  S5: [{ metric: 'events_per_s', op: 'report' }, { metric: 'us_per_event', op: 'report' }, { metric: 'cpu_us_per_event', op: 'report' }],
  // The anchor of S6 is `ai`'s streamText measured in the same run (its ai_* rows), not a fixed figure.
  S6: [
    { metric: 'p50_us_per_delta_vs_ai', target: 0.1, op: '<=', anchor: 1 },
    { metric: 'first_delta_us_vs_ai', target: 0.1, op: '<=', anchor: 1 },
    ...['p50_us_per_delta', 'mean_us_per_delta', 'cpu_us_per_delta', 'first_delta_us_p50', 'heap_growth_kb'].flatMap((m) => [
      { metric: m, op: 'report' },
      { metric: `ai_${m}`, op: 'report' },
    ]),
    { metric: 'cpu_us_per_delta_vs_ai', op: 'report' },
  ],
  // The anchor of S7 is `ai` measured in the same run (its rows below), not a fixed figure.
  S7: [
    { metric: 'import_vs_ai', target: 0.6, op: '<=', anchor: 1 },
    { metric: 'first_run_vs_ai', target: 0.6, op: '<=', anchor: 1 },
    ...['import', 'ai_import', 'first_run', 'ai_first_run', 'floor'].flatMap((c) => [
      { metric: `${c}_ms`, op: 'report' },
      { metric: `${c}_x_floor`, op: 'report' },
      { metric: `${c}_rss_mb`, op: 'report' },
      { metric: `${c}_cpu_ms`, op: 'report' },
    ]),
  ],
  'S2-floor': [{ metric: 'ratio_to_limit', op: 'report' }, { metric: 'median_wall_ms', op: 'report' }],
  'S3-floor': [{ metric: 'wall_ms', op: 'report' }, { metric: 'cpu_us_per_run', op: 'report' }, ...THREAD_SPLIT, { metric: 'peak_rss_mb', op: 'report' }],
  'S3-steady': [{ metric: 'wall_ms', op: 'report' }, { metric: 'cpu_us_per_run', op: 'report' }, ...THREAD_SPLIT],
};

function parseArgs(argv) {
  const args = { repeat: 3, only: undefined, json: false, floor: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--repeat') args.repeat = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--only') args.only = new Set(String(argv[++i]).toUpperCase().split(','));
    else if (a === '--json') args.json = true;
    else if (a === '--floor') args.floor = true;
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

function runScenario(file) {
  const path = fileURLToPath(new URL(`./scenarios/${file}`, import.meta.url));
  const child = spawnSync(process.execPath, ['--expose-gc', path], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (child.status !== 0) {
    return { error: (child.stderr || child.stdout || `exit ${child.status}`).trim().split('\n').slice(-5).join(' | ') };
  }
  const line = child.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) return { error: 'no result line' };
  return JSON.parse(line);
}

/** Medians, metric by metric, over the fresh processes. */
function combine(results) {
  const metrics = {};
  for (const key of Object.keys(results[0].metrics)) {
    const values = results.map((r) => r.metrics[key]).filter((v) => typeof v === 'number');
    metrics[key] = round(median(values), 4);
  }
  const { framework, version, scenario, node, ...rest } = results[0];
  delete rest.metrics;
  return { framework, version, scenario, node, metrics, processes: results.length, ...rest };
}

const args = parseArgs(process.argv.slice(2));
const lines = [];
for (const sc of SCENARIOS) {
  const wanted = sc.optional ? args.floor || args.only?.has(sc.id.toUpperCase()) : !args.only || args.only.has(sc.id);
  if (!wanted) continue;
  if (!existsSync(new URL(`./scenarios/${sc.file}`, import.meta.url))) continue;
  const results = [];
  let failure;
  for (let i = 0; i < (sc.once ? 1 : args.repeat); i++) {
    const r = runScenario(sc.file);
    if (r.error) {
      failure = r;
      break;
    }
    results.push(r);
  }
  const line = failure
    ? { framework: 'agent-patterns', scenario: sc.id, node: process.version, error: failure.error }
    : combine(results);
  lines.push({ sc, line });
  process.stdout.write(JSON.stringify(line) + '\n');
}

if (!args.json) process.stderr.write('\n' + table(lines) + '\n');
if (lines.some((l) => l.line.error)) process.exitCode = 1;

function table(rows) {
  const out = [
    `agent-patterns ${rows[0]?.line.version ?? ''} — Node ${process.version}, ${args.repeat} fresh process(es) per scenario, medians`,
    '',
    pad(['scenario', 'metric', 'value', 'target', 'ratio', 'ok', 'best anchor']),
    pad(['--------', '------', '-----', '------', '-----', '--', '-----------']),
  ];
  for (const { sc, line } of rows) {
    if (line.error) {
      out.push(pad([sc.id, 'ERROR', line.error, '', '', '', '']));
      continue;
    }
    for (const t of TARGETS[sc.id] ?? []) {
      const v = line.metrics[t.metric];
      if (v === undefined) continue;
      if (t.op === 'report') {
        out.push(pad([sc.id, t.metric, fmt(v), '—', '', '', '']));
        continue;
      }
      const ratio = v / t.target;
      const ok = t.op === '<=' ? v <= t.target : v >= t.target;
      out.push(pad([sc.id, t.metric, fmt(v), `${t.op} ${fmt(t.target)}`, ratio.toFixed(3), ok ? 'yes' : 'NO', fmt(t.anchor)]));
    }
  }
  out.push('', 'ratio = value ÷ target; best anchor = Vercel AI SDK 7.0.173 (SCENARIOS.md).');
  return out.join('\n');
}

function fmt(v) {
  return typeof v === 'number' ? String(round(v, 3)) : String(v);
}

function pad(cells) {
  const widths = [9, 26, 12, 10, 7, 4, 11];
  return cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
}
