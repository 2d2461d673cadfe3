/**
 * S1 — tool-loop overhead: one agent, tool `add`, T = 9, no delay: 10 model
 * turns + 9 tool calls per run. 500 warm-up runs, forced GC, 300 sequential
 * measured runs, forced GC. Tracing to the run's in-memory trace and budget
 * accounting on (the defaults of run()).
 */
import { run } from 'agent-patterns';
import { PROMPT, calculatorAgent, check, emit, measureSequential } from '../lib.js';

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

emit('S1', await measureSequential(once, { warmup: WARMUP, measured: MEASURED, turns: T + 1 }));
