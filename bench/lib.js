/**
 * What every scenario shares: the scripted model of SCENARIOS.md, the tool
 * `add` that counts its executions, the S1 agent, forced GC and the one JSON
 * line a scenario process prints. Written against the public API, the way a
 * user writes it; imports the built package (run `npm run build` first).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { z } from 'zod';
import { Agent, tool } from 'agent-patterns';
import { scripted } from 'agent-patterns/testing';
import { forceGc, quantile, round } from './lib-core.js';

export { VERSION, check, emit, forceGc, median, quantile, round } from './lib-core.js';

/**
 * The scripted model contract: stateless; n = tool results in the conversation;
 * n < T → one call `add` (id call_<n>, {"a": n, "b": 1}); else
 * `done(<n>): <last user text>`; usage 10/5; a delay only when set
 * (scripted() adds no timer for delay 0).
 */
export function benchModel(toolTurns, delayMs = 0) {
  return scripted(
    (request) => {
      const messages = request.messages;
      let n = 0;
      let lastUser = '';
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i];
        if (m.role === 'tool') n++;
        else if (m.role === 'user') lastUser = m.content;
      }
      if (n < toolTurns) return { toolCalls: [{ name: 'add', id: `call_${n}`, args: { a: n, b: 1 } }] };
      return `done(${n}): ${lastUser}`;
    },
    { delayMs, usage: { inputTokens: 10, outputTokens: 5 } },
  );
}

/** The tool `add`; `addTool.executions` counts its calls so the driver can check them. */
export function countingAdd() {
  const counter = { executions: 0 };
  const add = tool({
    name: 'add',
    description: 'Add two numbers and return the sum.',
    input: z.object({ a: z.number(), b: z.number() }),
    execute: ({ a, b }) => {
      counter.executions++;
      return a + b;
    },
  });
  return { add, counter };
}

/** The S1 agent (S3 uses it with T = 1 and a delay). */
export function calculatorAgent(toolTurns, delayMs = 0) {
  const { add, counter } = countingAdd();
  const agent = new Agent({
    name: 'calculator',
    instructions: 'You are a calculator agent.',
    model: benchModel(toolTurns, delayMs),
    tools: [add],
  });
  return { agent, counter };
}

export const PROMPT = 'add numbers nine times';

/**
 * The S1 measurement, shared by S1 and S4: `warmup` runs, forced GC, `measured`
 * sequential timed runs, forced GC; per-run and per-turn figures in µs and the
 * heap/RSS growth over the measured runs.
 */
export async function measureSequential(once, { warmup, measured, turns }) {
  for (let i = 0; i < warmup; i++) await once();
  const us = new Float64Array(measured);
  forceGc();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const code0 = codeSpaceUsed();
  for (let i = 0; i < measured; i++) {
    const t0 = performance.now();
    await once();
    us[i] = (performance.now() - t0) * 1000;
  }
  forceGc();
  const heap1 = process.memoryUsage().heapUsed;
  const rss1 = process.memoryUsage().rss;
  const code1 = codeSpaceUsed();

  const sorted = Float64Array.from(us).sort();
  const mean = us.reduce((a, b) => a + b, 0) / measured;
  return {
    mean_us_per_run: round(mean, 1),
    p50_us_per_run: round(quantile(sorted, 0.5), 1),
    p90_us_per_run: round(quantile(sorted, 0.9), 1),
    p99_us_per_run: round(quantile(sorted, 0.99), 1),
    mean_us_per_turn: round(mean / turns),
    p50_us_per_turn: round(quantile(sorted, 0.5) / turns),
    p90_us_per_turn: round(quantile(sorted, 0.9) / turns),
    p99_us_per_turn: round(quantile(sorted, 0.99) / turns),
    heap_growth_kb: round((heap1 - heap0) / 1024, 1),
    // Not a SCENARIOS.md metric: how much of heap_growth_kb is machine code the JIT made during the
    // measured runs (it swings by hundreds of KB between processes; retained run state would not).
    code_growth_kb: round((code1 - code0) / 1024, 1),
    rss_growth_kb: round((rss1 - rss0) / 1024, 1),
  };
}

function codeSpaceUsed() {
  let used = 0;
  for (const space of getHeapSpaceStatistics()) if (space.space_name.startsWith('code')) used += space.space_used_size;
  return used;
}

/**
 * CPU µs of this process's threads, from Linux's /proc/self/task/<tid>/schedstat:
 * `main` (the JS thread) and `others` (V8's compiler and GC helpers, libuv's
 * pool). With `since`, the difference from that reading. Undefined elsewhere.
 */
export function threadCpu(since) {
  let main = 0;
  let others = 0;
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const us = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
      if (tid === String(process.pid)) main += us;
      else others += us;
    }
  } catch {
    return undefined;
  }
  return since ? { main: main - since.main, others: others - since.others } : { main, others };
}

/** Not SCENARIOS.md metrics: a burst's CPU split into the JS thread and the others, per run (Linux only). */
export function threadMetrics(threads, runs) {
  if (!threads) return {};
  return {
    main_thread_cpu_us_per_run: round(threads.main / runs, 1),
    v8_threads_cpu_us_per_run: round(threads.others / runs, 1),
  };
}

