/**
 * S2 floor (not a SCENARIOS.md scenario): the S2 workload hand-written with
 * no framework — three 50 ms `setTimeout` waits at once, then one more — with
 * the same warm-up and measurement, so an S2 figure can be read against what
 * the machine's timers do at that moment (`--floor`).
 */
import { check, emit, median, round } from '../lib.js';

const DELAY_MS = 50;
const LIMIT_MS = 2 * DELAY_MS;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const answer = async (prompt) => {
  await sleep(DELAY_MS);
  return `done(0): ${prompt}`;
};

async function once() {
  const t0 = performance.now();
  const texts = await Promise.all([1, 2, 3].map((i) => answer(`specialist ${i}`)));
  const out = await answer(`synthesize: ${texts.join(' | ')}`);
  const ms = performance.now() - t0;
  check(out.startsWith('done(0): synthesize: done(0): specialist 1'), out);
  return ms;
}

for (let i = 0; i < 10; i++) await once();
const walls = [];
for (let i = 0; i < 20; i++) walls.push(await once());
const med = median(walls);
emit('S2-floor', { median_wall_ms: round(med, 2), ratio_to_limit: round(med / LIMIT_MS, 4) });
