/**
 * S6 — streaming overhead: one agent, no tools, a pull-based streaming model of exactly 1000 `"tok "`
 * deltas, consumed through the public streaming API; ours (`stream()`, bench/stream/s6-agent-patterns.js)
 * against the anchor (the Vercel AI SDK's `streamText`, bench/stream/s6-ai.js) in the same run. Each
 * runs in its own fresh `node --expose-gc` process, alternating, `BENCH_S6_PROCESSES` times each
 * (default 3); per metric the median over the processes and the min–max, and ours ÷ the anchor's.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { emit, median, round } from '../lib-core.js';

const PROCESSES = Math.max(3, Number(process.env.BENCH_S6_PROCESSES ?? 3)); // SCENARIOS.md: at least 3
const FILES = { ours: 's6-agent-patterns.js', ai: 's6-ai.js' };

function once(file) {
  const path = fileURLToPath(new URL(`../stream/${file}`, import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`S6 ${file} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop());
}

const samples = { ours: [], ai: [] };
for (let i = 0; i < PROCESSES; i++) {
  // Alternating, and which goes first alternates too, so a busy spell of the shared machine falls on both.
  for (const who of i % 2 ? ['ai', 'ours'] : ['ours', 'ai']) samples[who].push(once(FILES[who]));
}

const metrics = {};
const minMax = {};
for (const who of ['ours', 'ai']) {
  for (const key of Object.keys(samples[who][0].metrics)) {
    const values = samples[who].map((s) => s.metrics[key]);
    const name = who === 'ours' ? key : `ai_${key}`;
    metrics[name] = round(median(values), 3);
    minMax[name] = [Math.min(...values), Math.max(...values)];
  }
}
for (const key of ['p50_us_per_delta', 'mean_us_per_delta', 'cpu_us_per_delta', 'first_delta_us_p50']) {
  metrics[`${key.replace(/_p50$/, '')}_vs_ai`] = round(metrics[key] / metrics[`ai_${key}`], 4);
}
emit('S6', metrics, { processes_each: PROCESSES, anchor: `ai ${samples.ai[0].version}`, min_max: minMax });
