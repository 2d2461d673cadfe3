/** Shared by the MCP tests: the official servers from npm, and process checks. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { RunContext } from '../../src/core/context.js';
import { runToolCall, type ToolOutcome } from '../../src/core/run-tool.js';
import type { AnyTool } from '../../src/core/tool.js';

const modules = new URL('../../node_modules/@modelcontextprotocol/', import.meta.url);
export const EVERYTHING = fileURLToPath(new URL('server-everything/dist/index.js', modules));
export const FILESYSTEM = fileURLToPath(new URL('server-filesystem/dist/index.js', modules));
/** Vend's order service (examples/mcp), as built into dist/ by the test setup. */
export const ORDER_SERVER = fileURLToPath(new URL('../../dist/examples/mcp/vend-order-server.js', import.meta.url));

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0): it is dead but not reaped, which counts as left behind.
  return true;
}

/** Waits (bounded) until `pid` no longer exists; false if it still does after `ms`. */
export async function gone(pid: number, ms = 5_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !alive(pid);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** server-everything in Streamable HTTP mode (or the older HTTP+SSE) on `port`; resolves once it listens. */
export async function startEverythingHttp(port: number, mode: 'streamableHttp' | 'sse' = 'streamableHttp'): Promise<ChildProcess> {
  const child = spawn(process.execPath, [EVERYTHING, mode], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.resume();
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (/listening on port|running on port/i.test(err)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server-everything exited (${code}): ${err}`)));
  });
  return child;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

/** One tool call as an agent makes it (budget, span, validation, gates), outside any model. */
export function callTool(tools: readonly AnyTool[], name: string, args: unknown, ctx = new RunContext()): Promise<ToolOutcome> {
  return runToolCall(ctx, new Map(tools.map((t) => [t.name, t])), { id: `call-${name}`, name, arguments: JSON.stringify(args) });
}
