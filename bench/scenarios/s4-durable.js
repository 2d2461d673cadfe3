/**
 * S4 — what a durable production run costs: the S1 run (10 model turns +
 * 9 tool calls, sequential, no delay) with every span also written to a JSONL
 * file and to the SQLite store (StoreTraceSink, flushed at the end of each
 * run), and the store on the run's context. Same warm-up, GC and metrics as S1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlTraceSink, SqliteStore, StoreTraceSink, run } from 'agent-patterns';
import { PROMPT, calculatorAgent, check, emit, forceGc, quantile, round } from '../lib.js';

const WARMUP = 500;
const MEASURED = 300;
const T = 9;
const SPANS_PER_RUN = 1 + (T + 1) + T; // run + model turns + tool calls
const EXPECTED = `done(${T}): ${PROMPT}`;

const dir = mkdtempSync(join(tmpdir(), 'agent-patterns-bench-'));
const jsonl = new JsonlTraceSink(join(dir, 'trace.jsonl'));
const store = await SqliteStore.open(join(dir, 'state.db'));
const storeSink = new StoreTraceSink(store);
const options = { sinks: [jsonl, storeSink], store };
const { agent, counter } = calculatorAgent(T);

let lastRunId;
async function once() {
  const before = counter.executions;
  const result = await run(agent, PROMPT, options);
  check(result.output.text === EXPECTED, `final text "${result.output.text}"`);
  check(counter.executions - before === T, `add ran ${counter.executions - before} times`);
  lastRunId = result.runId;
}

try {
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

  // Everything really landed: the last run's trace in the store, every span in the file.
  check((await store.getTrace(lastRunId)).length === SPANS_PER_RUN, 'spans of the last run in the store');
  await jsonl.close();
  const lines = readFileSync(join(dir, 'trace.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  check(lines === (WARMUP + MEASURED) * SPANS_PER_RUN, `JSONL has ${lines} spans`);

  const sorted = Float64Array.from(us).sort();
  const mean = us.reduce((a, b) => a + b, 0) / MEASURED;
  const turns = T + 1;
  emit('S4', {
    mean_us_per_run: round(mean, 1),
    p50_us_per_run: round(quantile(sorted, 0.5), 1),
    p90_us_per_run: round(quantile(sorted, 0.9), 1),
    p99_us_per_run: round(quantile(sorted, 0.99), 1),
    mean_us_per_turn: round(mean / turns),
    p50_us_per_turn: round(quantile(sorted, 0.5) / turns),
    p99_us_per_turn: round(quantile(sorted, 0.99) / turns),
    heap_growth_kb: round((heap1 - heap0) / 1024, 1),
    rss_growth_kb: round((rss1 - rss0) / 1024, 1),
  });
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
