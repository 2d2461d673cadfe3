#!/usr/bin/env node
/**
 * Profiles only the measured part of a scenario's workload, many times over,
 * through the in-process inspector (finer than `node --cpu-prof`, which also
 * samples start-up and module loading). Writes the profile (open it in Chrome
 * DevTools) and prints the top functions.
 *
 *   node --expose-gc bench/profile.js s1|s3 [--alloc] [--iterations N] [--out FILE]
 *
 * Default: CPU samples every 50 µs, top functions by self time. --alloc:
 * sampled allocations instead, bytes allocated per run by function. Add
 * `--no-turbo-inlining` to node to charge inlined callees to themselves.
 */
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { run } from 'agent-patterns';
import { PROMPT, calculatorAgent } from './lib.js';

const argv = process.argv.slice(2);
const which = argv[0] === 's3' ? 's3' : 's1';
const alloc = argv.includes('--alloc');
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const iterations = Number(opt('--iterations', which === 's3' ? 10 : 3000));
const runsPerIteration = which === 's3' ? 1000 : 1;
const out = opt('--out', `bench-${which}.${alloc ? 'heapprofile' : 'cpuprofile'}`);

// S1: one sequential run (T = 9, no delay). S3: 1000 concurrent runs (T = 1, 20 ms turns).
const { agent } = which === 's3' ? calculatorAgent(1, 20) : calculatorAgent(9);
const workload = which === 's3' ? () => Promise.all(Array.from({ length: 1000 }, () => run(agent, PROMPT))) : () => run(agent, PROMPT);

for (let i = 0; i < (which === 's3' ? 3 : 500); i++) await workload();
globalThis.gc?.();

const session = new Session();
session.connect();
const tally = new Map();
const key = (f) => `${f.functionName || '(anonymous)'}  ${f.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${f.lineNumber + 1}`;
let total = 0;
if (alloc) {
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  for (let i = 0; i < iterations; i++) await workload();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync(out, JSON.stringify(profile));
  (function walk(node) {
    if (node.selfSize) {
      tally.set(key(node.callFrame), (tally.get(key(node.callFrame)) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    node.children.forEach(walk);
  })(profile.head);
  const runs = iterations * runsPerIteration;
  console.log(`${out}: ~${Math.round(total / runs)} B allocated per run (sampled)`);
  for (const [k, bytes] of [...tally].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${String(Math.round(bytes / runs)).padStart(7)} B/run  ${k}`);
} else {
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.start');
  for (let i = 0; i < iterations; i++) await workload();
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(out, JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const id of profile.samples) tally.set(key(byId.get(id).callFrame), (tally.get(key(byId.get(id).callFrame)) ?? 0) + 1);
  total = profile.samples.length;
  console.log(`${out}: ${total} samples`);
  for (const [k, c] of [...tally].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${((100 * c) / total).toFixed(1).padStart(5)}%  ${k}`);
}
session.disconnect();
