/**
 * S2 — parallel fan-out latency: three specialist calls in parallel, then one
 * synthesis call; every model call sleeps 50 ms, so the physical limit is
 * 100 ms. 10 warm-up, 20 measured runs; median wall and median ÷ 100 ms.
 */
import { parallel, prompt, run } from 'agent-patterns';
import { benchModel, check, emit, median, quantile, round } from '../lib.js';

const DELAY_MS = 50;
const LIMIT_MS = 2 * DELAY_MS;
const model = benchModel(0, DELAY_MS);

const specialists = [1, 2, 3].map((i) =>
  prompt({ name: `specialist-${i}`, model, instructions: `You are specialist ${i}.`, input: () => `specialist ${i}` }),
);
const synthesis = prompt({
  name: 'synthesis',
  model,
  instructions: 'You are the synthesizer.',
  input: ({ branches }) => `synthesize: ${[branches.s1, branches.s2, branches.s3].join(' | ')}`,
});
const fanOut = parallel({ s1: specialists[0], s2: specialists[1], s3: specialists[2] }, { name: 'specialists' }).synthesize(synthesis, 'fan-out');

const EXPECTED = `done(0): synthesize: ${[1, 2, 3].map((i) => `done(0): specialist ${i}`).join(' | ')}`;

async function once() {
  const t0 = performance.now();
  const result = await run(fanOut, 'go');
  const ms = performance.now() - t0;
  check(result.output === EXPECTED, `synthesis "${result.output}"`);
  return ms;
}

for (let i = 0; i < 10; i++) await once();
const walls = [];
for (let i = 0; i < 20; i++) walls.push(await once());
const med = median(walls);

emit('S2', {
  median_wall_ms: round(med, 2),
  limit_ms: LIMIT_MS,
  ratio_to_limit: round(med / LIMIT_MS, 4),
  p90_wall_ms: round(quantile([...walls].sort((a, b) => a - b), 0.9), 2),
});
