/**
 * S5 — event throughput: events from the in-memory source through
 * `consume()` into the SQLite store. Each event is one run of the S3 agent
 * without delay (T = 1: 2 model turns + 1 tool call), its decision is
 * recorded atomically in the store (idempotency by event id), then acked.
 * Default concurrency (8). 300 warm-up events, forced GC, 3000 measured.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consume, memorySource } from 'agent-patterns/events';
import { SqliteStore } from 'agent-patterns/sqlite';
import { PROMPT, calculatorAgent, check, emit, forceGc, round } from '../lib.js';

const WARMUP = 300;
const EVENTS = 3000;
const T = 1;

const dir = mkdtempSync(join(tmpdir(), 'agent-patterns-bench-'));
const store = await SqliteStore.open(join(dir, 'state.db'));
const { agent, counter } = calculatorAgent(T);

async function pass(consumerName, events) {
  const source = memorySource();
  for (let i = 0; i < events; i++) source.push(`evt-${i}`, PROMPT);
  source.end();
  const before = counter.executions;
  const consumer = consume(source, agent, { consumer: consumerName, store });
  const stats = await consumer.done;
  check(stats.decided === events, `decided ${stats.decided} of ${events}`);
  check(stats.deadLettered === 0 && stats.duplicates === 0, `dead letters ${stats.deadLettered}, duplicates ${stats.duplicates}`);
  check(source.acked === events, `acked ${source.acked}`);
  check(counter.executions - before === events * T, `add ran ${counter.executions - before} times`);
}

try {
  await pass('bench-warmup', WARMUP);
  forceGc();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await pass('bench', EVENTS);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const stored = await store.getDecision('bench', `evt-${EVENTS - 1}`);
  check(stored !== undefined, 'last decision in the store');
  emit('S5', {
    events: EVENTS,
    wall_ms: round(wall, 1),
    events_per_s: Math.round(EVENTS / (wall / 1000)),
    us_per_event: round((wall * 1000) / EVENTS, 1),
    cpu_us_per_event: round((cpu.user + cpu.system) / EVENTS, 1),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
  });
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
