/**
 * A stdio server never outlives the program that started it: not after a
 * process.exit() without close(), not after an uncaught error, not after
 * SIGTERM or SIGINT. Each case runs a real program (from dist/) that starts
 * server-everything and then ends that way. The server is kept alive by a
 * timer, as many real servers are: it does not exit by itself when its stdin
 * closes, so only the client's clean-up can end it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, EVERYTHING, gone } from './support.js';

const MCP = fileURLToPath(new URL('../../dist/src/mcp/index.js', import.meta.url));
let dir: string;
let program: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ap-mcp-life-'));
  program = join(dir, 'program.mjs');
  writeFileSync(
    program,
    `import { mcpServer } from ${JSON.stringify(MCP)};
const stubborn = ${JSON.stringify(`setInterval(() => {}, 1000); await import(${JSON.stringify(EVERYTHING)});`)};
const server = mcpServer({ command: process.execPath, args: ['--input-type=module', '-e', stubborn] });
const tools = await server.tools();
console.log(JSON.stringify({ pid: server.pid, tools: tools.length }));
const mode = process.argv[2];
if (mode === 'exit') process.exit(3);
if (mode === 'crash') setTimeout(() => { throw new Error('the run crashed'); }, 10);
if (mode === 'signal') setInterval(() => {}, 1000);
`,
  );
});
const started: number[] = [];
afterAll(() => {
  // A failing case must not leave its server behind for the rest of the suite.
  for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function start(mode: string) {
  const child = spawn(process.execPath, [program, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const { pid } = JSON.parse(line.toString()) as { pid: number };
  started.push(pid);
  return { child, pid };
}

describe('no MCP server process outlives its program', () => {
  it('after process.exit() without close()', async () => {
    const { child, pid } = await start('exit');
    const [code] = await once(child, 'exit');
    expect(code).toBe(3);
    expect(await gone(pid)).toBe(true);
  });

  it('after an uncaught error', async () => {
    const { child, pid } = await start('crash');
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(await gone(pid)).toBe(true);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`after ${signal}, and the program still ends by that signal`, async () => {
      const { child, pid } = await start('signal');
      expect(await gone(pid, 200)).toBe(false);
      child.kill(signal);
      const [code, by] = await once(child, 'exit');
      expect([code, by]).toEqual([null, signal]);
      expect(await gone(pid)).toBe(true);
    });
  }
});
