/**
 * The S3 workload (SCENARIOS.md): the S1 agent with T = 1 and 20 ms per model
 * turn; warm-up bursts of 100; forced GC; then 1000 runs started at once on
 * one shared agent. S3 runs it with the 5 warm-up bursts the scenario sets;
 * S3-steady (`--floor`) with 50, to show what the same burst costs once V8 has
 * compiled everything (docs/bench.md, "Third pass").
 */
import { run } from 'agent-patterns';
import { PROMPT, calculatorAgent, check, forceGc, round, threadCpu, threadMetrics } from './lib.js';

const T = 1;
const DELAY_MS = 20;
const RUNS = 1000;
const EXPECTED = `done(${T}): ${PROMPT}`;

export async function measureConcurrency(warmupBursts) {
  const { agent, counter } = calculatorAgent(T, DELAY_MS);

  async function burst(size) {
    const before = counter.executions;
    const results = await Promise.all(Array.from({ length: size }, () => run(agent, PROMPT)));
    for (const r of results) check(r.output.text === EXPECTED, `final text "${r.output.text}"`);
    check(counter.executions - before === size * T, `add ran ${counter.executions - before} times for ${size} runs`);
  }

  for (let i = 0; i < warmupBursts; i++) await burst(100);
  forceGc();

  const threads0 = threadCpu();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await burst(RUNS);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const threads = threadCpu(threads0);

  return {
    wall_ms: round(wall, 1),
    limit_ms: 2 * DELAY_MS,
    runs_per_s: Math.round(RUNS / (wall / 1000)),
    cpu_us_per_run: round((cpu.user + cpu.system) / RUNS, 1),
    ...threadMetrics(threads, RUNS),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
  };
}
