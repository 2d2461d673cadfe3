/**
 * The bench's helpers that load no framework (the anchor processes of S6 use them too): forced GC,
 * checks, quantiles, and the one JSON line a scenario process prints.
 */
import { readFileSync } from 'node:fs';

export const VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export function forceGc() {
  if (typeof globalThis.gc !== 'function') throw new Error('run scenarios with node --expose-gc (bench/run.js does)');
  globalThis.gc();
}

export function check(cond, what) {
  if (!cond) throw new Error(`bench check failed: ${what}`);
}

export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The one line a scenario process prints; bench/run.js reads it. */
export function emit(scenario, metrics, extra = {}) {
  process.stdout.write(
    JSON.stringify({ framework: 'agent-patterns', version: VERSION, scenario, node: process.version, metrics, ...extra }) + '\n',
  );
}
