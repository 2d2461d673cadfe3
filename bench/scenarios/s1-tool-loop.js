/**
 * S1 — tool-loop overhead: one agent, tool `add`, T = 9, no delay: 10 model
 * turns + 9 tool calls per run. 500 warm-up runs, forced GC, 300 sequential
 * measured runs, forced GC. Tracing to the run's in-memory trace and budget
 * accounting on (the defaults of run()).
 */
import { run } from 'agent-patterns';
import { PROMPT, calculatorAgent, check, emit, forceGc, quantile, round } from '../lib.js';

const WARMUP = 500;
const MEASURED = Number(process.env.BENCH_S1_RUNS ?? 300); // SCENARIOS.md: 300 (override only to diagnose)
const T = 9;
const EXPECTED = `done(${T}): ${PROMPT}`;

const { agent, counter } = calculatorAgent(T);

async function once() {
  const before = counter.executions;
  const result = await run(agent, PROMPT);
  check(result.output.text === EXPECTED, `final text "${result.output.text}"`);
  check(counter.executions - before === T, `add ran ${counter.executions - before} times`);
  check(result.usage.modelTurns === T + 1, `model turns ${result.usage.modelTurns}`);
}

for (let i = 0; i < WARMUP; i++) await once();

const us = new Float64Array(MEASURED);
forceGc();
const heap0 = process.memoryUsage().heapUsed;
const rss0 = process.memoryUsage().rss;
for (let i = 0; i < MEASURED; i++) {
  const t0 = performance.now();
  await once();
  us[i] = (performance.now() - t0) * 1000;
}
forceGc();
const heap1 = process.memoryUsage().heapUsed;
const rss1 = process.memoryUsage().rss;

const sorted = Float64Array.from(us).sort();
const mean = us.reduce((a, b) => a + b, 0) / MEASURED;
const turns = T + 1;
emit('S1', {
  mean_us_per_run: round(mean, 1),
  p50_us_per_run: round(quantile(sorted, 0.5), 1),
  p90_us_per_run: round(quantile(sorted, 0.9), 1),
  p99_us_per_run: round(quantile(sorted, 0.99), 1),
  mean_us_per_turn: round(mean / turns),
  p50_us_per_turn: round(quantile(sorted, 0.5) / turns),
  p90_us_per_turn: round(quantile(sorted, 0.9) / turns),
  p99_us_per_turn: round(quantile(sorted, 0.99) / turns),
  heap_growth_kb: round((heap1 - heap0) / 1024, 1),
  rss_growth_kb: round((rss1 - rss0) / 1024, 1),
});
