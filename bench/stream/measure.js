/**
 * The S6 measurement (../shared/bench/SCENARIOS.md), shared by our process and the anchor's: the
 * prompt, the expected text, 50 warm-up runs, forced GC, 200 sequential runs, forced GC, and the
 * figures. Imports neither framework, so each process loads only its own.
 */
import { check, emit, forceGc, quantile, round } from '../lib-core.js';

export const INSTRUCTIONS = 'You are a streaming agent.';
export const PROMPT = 'stream please';
export const DELTAS = 1000;
export const DELTA = 'tok ';
export const EXPECTED = DELTA.repeat(DELTAS);

/** The streaming model's contract: refuse any conversation but 0 tool results and `stream please` last. */
export function checkConversation(toolResults, lastUser) {
  if (toolResults !== 0 || lastUser !== PROMPT) throw new Error(`S6 model: unexpected conversation (${toolResults} tool results, last user "${lastUser}")`);
}

/**
 * `once(onFirst)` starts one run, calls `onFirst()` at the consumer's first delta, and resolves with
 * `{ text, usage }` once the consumer's loop has ended (usage only when asked, on the first warm-up).
 */
export async function measureStreaming(framework, version, once, { warmup = 50, measured = 200 } = {}) {
  for (let i = 0; i < warmup; i++) {
    const { text, usage } = await once(() => undefined, i === 0);
    check(text === EXPECTED, `joined text of ${text.length} chars`);
    if (i === 0) check(usage?.inputTokens === 10 && usage?.outputTokens === DELTAS, `usage ${JSON.stringify(usage)}`);
  }
  const wall = new Float64Array(measured);
  const first = new Float64Array(measured);
  forceGc();
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < measured; i++) {
    let firstAt = 0;
    const t0 = performance.now();
    const { text } = await once(() => {
      if (firstAt === 0) firstAt = performance.now();
    }, false);
    const t1 = performance.now();
    check(text === EXPECTED, `joined text of ${text.length} chars`);
    wall[i] = ((t1 - t0) * 1000) / DELTAS;
    first[i] = (firstAt - t0) * 1000;
  }
  const cpu = process.cpuUsage(cpu0);
  forceGc();
  const heap1 = process.memoryUsage().heapUsed;
  const sortedWall = Float64Array.from(wall).sort();
  const sortedFirst = Float64Array.from(first).sort();
  emit('S6', {
    p50_us_per_delta: round(quantile(sortedWall, 0.5), 3),
    mean_us_per_delta: round(wall.reduce((a, b) => a + b, 0) / measured, 3),
    cpu_us_per_delta: round((cpu.user + cpu.system) / (measured * DELTAS), 3),
    first_delta_us_p50: round(quantile(sortedFirst, 0.5), 1),
    heap_growth_kb: round((heap1 - heap0) / 1024, 1),
  }, { framework, version });
}
