/**
 * S3 — concurrency: the S1 agent with T = 1 and 20 ms per model turn (limit
 * 40 ms a run). Warm-up 5 bursts of 100; forced GC; then 1000 runs started at
 * once on one shared agent. CPU is user+system of the whole process over the
 * burst; peak RSS is the process's maxRSS (so S3 runs in its own process).
 */
import { run } from 'agent-patterns';
import { PROMPT, calculatorAgent, check, emit, forceGc, round } from '../lib.js';

const T = 1;
const DELAY_MS = 20;
const RUNS = 1000;
const EXPECTED = `done(${T}): ${PROMPT}`;

const { agent, counter } = calculatorAgent(T, DELAY_MS);

async function burst(size) {
  const before = counter.executions;
  const results = await Promise.all(Array.from({ length: size }, () => run(agent, PROMPT)));
  for (const r of results) check(r.output.text === EXPECTED, `final text "${r.output.text}"`);
  check(counter.executions - before === size * T, `add ran ${counter.executions - before} times for ${size} runs`);
}

for (let i = 0; i < 5; i++) await burst(100);
forceGc();

const cpu0 = process.cpuUsage();
const t0 = performance.now();
await burst(RUNS);
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);

emit('S3', {
  wall_ms: round(wall, 1),
  limit_ms: 2 * DELAY_MS,
  runs_per_s: Math.round(RUNS / (wall / 1000)),
  cpu_us_per_run: round((cpu.user + cpu.system) / RUNS, 1),
  peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
});
