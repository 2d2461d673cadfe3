/**
 * S4 — what a durable production run costs: the S1 run (10 model turns +
 * 9 tool calls, sequential, no delay) with every span also written to a JSONL
 * file and to the SQLite store (StoreTraceSink, flushed at the end of each
 * run), and the store on the run's context. Same warm-up, GC and metrics as S1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlTraceSink, run } from 'agent-patterns';
import { SqliteStore } from 'agent-patterns/sqlite';
import { StoreTraceSink } from 'agent-patterns/store';
import { PROMPT, calculatorAgent, check, emit, measureSequential } from '../lib.js';

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
  const metrics = await measureSequential(once, { warmup: WARMUP, measured: MEASURED, turns: T + 1 });

  // Everything really landed: the last run's trace in the store, every span in the file.
  check((await store.getTrace(lastRunId)).length === SPANS_PER_RUN, 'spans of the last run in the store');
  await jsonl.close();
  const lines = readFileSync(join(dir, 'trace.jsonl'), 'utf8').split('\n').filter(Boolean).length;
  check(lines === (WARMUP + MEASURED) * SPANS_PER_RUN, `JSONL has ${lines} spans`);

  emit('S4', metrics);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
