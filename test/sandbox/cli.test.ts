/** The CLI surface: `sandbox run <file>` and `run reflexion-coding`, through the built bin (the global setup builds dist/). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const BIN = new URL('../../bin/agent-patterns.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.concurrent('agent-patterns sandbox run', () => {
  it('runs a JavaScript file with --input and prints the result as JSON', async () => {
    const file = join(dir, 'double.js');
    writeFileSync(file, 'function main(x) { console.log("doubling", x); return { doubled: x * 2 }; }\n');
    const r = await cli(['sandbox', 'run', file, '--input', '21', '--timeout-ms', '15000', '--memory-mb', '64', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ ok: true, output: { doubled: 42 }, stdout: 'doubling 21\n', error: null, isolation: 'namespaces' });
    expect(typeof result.durationMs).toBe('number');
  });

  it('runs a Python file and exits non-zero when the program fails', async () => {
    const file = join(dir, 'boom.py');
    writeFileSync(file, 'def main(x):\n    return open("/etc/passwd").read()\n');
    const r = await cli(['sandbox', 'run', file, '--timeout-ms', '15000']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ok: false/);
    expect(r.stdout).toMatch(/runtime_error: FileNotFoundError/);
  });

  it('rejects bad flags with a one-line error', async () => {
    const file = join(dir, 'x.js');
    writeFileSync(file, 'function main() { return 1; }\n');
    const r = await cli(['sandbox', 'run', file, '--input', '{oops']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--input is not valid JSON/);
  });
});

describe('agent-patterns run reflexion-coding', () => {
  it('shows the failed attempt, the reflection and the passing attempt', async () => {
    const r = await cli(['run', 'reflexion-coding']);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/attempt 1: FAILED \(4\/6 tests/);
    expect(out).toMatch(/european thousands failed/);
    expect(out).toMatch(/what_to_fix: .*1\.234,50/);
    expect(out).toMatch(/attempt 2: PASSED \(6\/6 tests/);
    expect(out).toMatch(/outcome: passed on attempt 2/);
    expect(out.indexOf('attempt 1: FAILED')).toBeLessThan(out.indexOf('reflection:'));
    expect(out.indexOf('reflection:')).toBeLessThan(out.indexOf('attempt 2: PASSED'));
  });
});
