/**
 * S3 floor (not a SCENARIOS.md scenario): the S3 workload hand-written with
 * no framework at all — the same scripted-model contract, 2 × 20 ms turns and
 * one `add` per run, 1000 runs at once — so a figure of S3 can be read
 * against what the machine itself does at that moment (`--floor`).
 */
import { check, emit, forceGc, round, threadCpu, threadMetrics } from '../lib.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const PROMPT = 'add numbers nine times';
let executions = 0;

async function model(messages) {
  let n = 0;
  let lastUser = '';
  for (const m of messages) {
    if (m.role === 'tool') n++;
    else if (m.role === 'user') lastUser = m.content;
  }
  await sleep(20);
  if (n < 1) return { text: '', toolCalls: [{ id: `call_${n}`, name: 'add', arguments: JSON.stringify({ a: n, b: 1 }) }], usage: { inputTokens: 10, outputTokens: 5 } };
  return { text: `done(${n}): ${lastUser}`, toolCalls: [], usage: { inputTokens: 10, outputTokens: 5 } };
}

async function runOnce() {
  const messages = [{ role: 'system', content: 'You are a calculator agent.' }, { role: 'user', content: PROMPT }];
  for (;;) {
    const r = await model(messages);
    if (r.toolCalls.length === 0) return r.text;
    messages.push({ role: 'assistant', content: r.text, toolCalls: r.toolCalls });
    for (const c of r.toolCalls) {
      const { a, b } = JSON.parse(c.arguments);
      executions++;
      messages.push({ role: 'tool', toolCallId: c.id, content: String(a + b) });
    }
  }
}

const burst = async (n) => {
  const texts = await Promise.all(Array.from({ length: n }, runOnce));
  for (const t of texts) check(t === `done(1): ${PROMPT}`, t);
};

for (let i = 0; i < 5; i++) await burst(100);
forceGc();
const threads0 = threadCpu();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await burst(1000);
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const threads = threadCpu(threads0);
check(executions === 1500, `add ran ${executions} times`);
emit('S3-floor', {
  wall_ms: round(wall, 1),
  runs_per_s: Math.round(1000 / (wall / 1000)),
  cpu_us_per_run: round((cpu.user + cpu.system) / 1000, 1),
  ...threadMetrics(threads, 1000),
  peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
});
