/**
 * The client against the official "everything" server over Streamable HTTP:
 * listing, a validated call, progress, and a server that restarts (its
 * sessions gone) reconnected on the next call.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunContext } from '../../src/core/context.js';
import { mcpServer, type McpServerHandle } from '../../src/mcp/index.js';
import { callTool, freePort, startEverythingHttp, stop } from './support.js';

describe('mcpServer over Streamable HTTP: @modelcontextprotocol/server-everything', () => {
  let port: number;
  let child: ChildProcess;
  let server: McpServerHandle;

  beforeAll(async () => {
    port = await freePort();
    child = await startEverythingHttp(port);
    server = mcpServer({ url: `http://127.0.0.1:${port}/mcp`, name: 'everything-http' });
  });
  afterAll(async () => {
    await server.close();
    await stop(child);
  });

  it('lists tools, validates arguments, calls, and reports progress', async () => {
    const tools = await server.tools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'get-sum', 'get-tiny-image', 'trigger-long-running-operation']));
    expect((await callTool(tools, 'get-sum', { a: 2 })).content).toContain("must have required property 'b'");
    expect((await callTool(tools, 'get-sum', { a: 2, b: 40 })).content).toBe('The sum of 2 and 40 is 42.');
    const ctx = new RunContext();
    const long = await callTool(tools, 'trigger-long-running-operation', { duration: 0.2, steps: 2 }, ctx);
    expect(long.ok).toBe(true);
    expect(ctx.tracer.spans.some((s) => s.name === 'mcp.progress' && s.attributes['mcp.server'] === 'everything-http')).toBe(true);
  });

  it('a server that restarted is reconnected on the next call', async () => {
    const tools = await server.tools();
    expect((await callTool(tools, 'echo', { message: 'before' })).content).toBe('Echo: before');
    await stop(child);
    child = await startEverythingHttp(port);
    // The old session is unknown to the new process: that call fails (not repeated: it may have acted)...
    const during = await callTool(tools, 'echo', { message: 'during' });
    // ...and the next one runs on a new session.
    const after = await callTool(tools, 'echo', { message: 'after' });
    expect(during).toMatchObject({ ok: false, content: expect.stringMatching(/No valid session ID/) });
    expect(after.content).toBe('Echo: after');
  });
});

describe('mcpServer against an older HTTP+SSE server: @modelcontextprotocol/server-everything sse', () => {
  it('falls back to the SSE transport when Streamable HTTP is refused', async () => {
    const port = await freePort();
    const child = await startEverythingHttp(port, 'sse');
    const server = mcpServer({ url: `http://127.0.0.1:${port}/sse`, name: 'everything-sse' });
    try {
      const tools = await server.tools();
      expect(tools.map((t) => t.name)).toContain('echo');
      expect((await callTool(tools, 'echo', { message: 'over sse' })).content).toBe('Echo: over sse');
    } finally {
      await server.close();
      await stop(child);
    }
  });
});
