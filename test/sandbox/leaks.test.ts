/**
 * The loop of the "done when": 50 runs, hostile and benign mixed, a
 * few at a time; afterwards no process of ours is alive and no per-run
 * directory is left.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import type { SandboxFailureKind, SandboxRunRequest } from '../../src/sandbox/types.js';
import { entries, leakedProcesses, privateTmpRoot } from './helpers.js';

const tmpRoot = privateTmpRoot();
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

const PROGRAMS: { request: SandboxRunRequest; expect: SandboxFailureKind | 'ok' }[] = [
  { request: { language: 'javascript', code: 'function main(x) { return x * 2; }', input: 4 }, expect: 'ok' },
  // Sleeps forever with a timer keeping it alive: the wall clock kills it (no CPU burnt).
  { request: { language: 'javascript', code: 'function main() { return new Promise(() => setInterval(() => {}, 50)); }', timeoutMs: 300 }, expect: 'timeout' },
  { request: { language: 'javascript', code: 'function main() { const fs = require("node:fs"); for (;;) fs.writeSync(1, "x".repeat(8192)); }', maxOutputBytes: 32 * 1024 }, expect: 'output_limit' },
  { request: { language: 'javascript', code: 'function main() { return require("node:child_process").execSync("sleep 100"); }' }, expect: 'runtime_error' },
  { request: { language: 'python', code: 'import os, time\ndef main(_):\n    os.fork()\n    time.sleep(100)\n' }, expect: 'runtime_error' },
  { request: { language: 'python', code: 'import time\ndef main(_):\n    time.sleep(100)\n', timeoutMs: 300 }, expect: 'timeout' },
];

describe('50 sandboxed runs', () => {
  it('leave no process and no temp dir behind', async () => {
    const sandbox = createSandbox({ tmpRoot, timeoutMs: 15_000, memoryMb: 48 });
    const kinds: string[] = [];
    const queue = Array.from({ length: 50 }, (_, i) => PROGRAMS[i % PROGRAMS.length]!);
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const r = await sandbox.run(p.request);
        kinds.push(r.ok ? 'ok' : r.error!.kind);
        expect(r.ok ? 'ok' : r.error!.kind).toBe(p.expect);
      }
    };
    await Promise.all(Array.from({ length: 5 }, worker));
    expect(kinds).toHaveLength(50);
    expect(leakedProcesses()).toEqual([]);
    expect(entries(tmpRoot)).toEqual([]);
  }, 120_000);
});
