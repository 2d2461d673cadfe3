/**
 * The client against the official "everything" server from npm, over stdio:
 * listing with policies, validated arguments, results of every kind,
 * progress, cancellation, a killed server restarted, no process left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunContext } from '../../src/core/context.js';
import { RunAborted } from '../../src/core/errors.js';
import { mcpServer, McpToolResult, type McpServerHandle, type McpServerTool } from '../../src/mcp/index.js';
import { alive, callTool, EVERYTHING, gone } from './support.js';

describe('mcpServer over stdio: @modelcontextprotocol/server-everything', () => {
  let server: McpServerHandle;
  let tools: McpServerTool[];

  beforeAll(async () => {
    server = mcpServer({ command: process.execPath, args: [EVERYTHING, 'stdio'] });
    tools = await server.tools();
  });
  afterAll(() => server.close());

  it('lists the tools with their JSON Schemas and the policy their annotations give', () => {
    expect(server.name).toBe('server-everything');
    const echo = tools.find((t) => t.name === 'echo')!;
    expect(echo.spec.parameters).toMatchObject({ type: 'object', properties: { message: { type: 'string' } }, required: ['message'] });
    expect(echo.mcp).toMatchObject({ server: 'server-everything', tool: 'echo', effect: 'read-only', policy: 'read-only' });
    expect(echo.description).toMatch(/^\[tool of MCP server "server-everything"; its description is the server's, untrusted\] /);
    // readOnlyHint false + destructiveHint false: may change the world, runs without a gate.
    const toggle = tools.find((t) => t.name === 'toggle-simulated-logging')!;
    expect(toggle.mcp.effect).toBe('write');
    expect(toggle.irreversible).toBe(false);
  });

  it('validates arguments against the server schema before the call, and calls with valid ones', async () => {
    const ctx = new RunContext();
    const bad = await callTool(tools, 'echo', { msg: 'hi' }, ctx);
    expect(bad.ok).toBe(false);
    expect(bad.content).toBe("Error: invalid arguments for echo: (root): must have required property 'message'");
    const wrongType = await callTool(tools, 'get-sum', { a: 'one', b: 2 }, ctx);
    expect(wrongType.content).toContain('invalid arguments for get-sum: a: must be number');
    const ok = await callTool(tools, 'echo', { message: 'hello' }, ctx);
    expect(ok).toMatchObject({ ok: true, content: 'Echo: hello' });
    // Every call is a tool span with the server's name, and counts against the budget (3 calls).
    expect(ctx.budget.usage().toolCalls).toBe(3);
    const span = ctx.tracer.spans.filter((s) => s.kind === 'tool').at(-1)!;
    expect(span).toMatchObject({ name: 'echo', status: 'ok', attributes: { 'mcp.server': 'server-everything', 'mcp.tool': 'echo', args: { message: 'hello' }, result: 'Echo: hello' } });
  });

  it('returns images (kept whole for the caller, a placeholder for the model) and structured content', async () => {
    const image = await callTool(tools, 'get-tiny-image', {});
    expect(image.ok).toBe(true);
    const result = image.result as McpToolResult;
    expect(result).toBeInstanceOf(McpToolResult);
    expect(result.images[0]!.mimeType).toBe('image/png');
    expect(Buffer.from(result.images[0]!.data, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(image.content).toMatch(/"images":\["\[image\/png image, \d+ bytes\]"\]/);
    expect(image.content).not.toContain(result.images[0]!.data.slice(0, 40));

    const structured = await callTool(tools, 'get-structured-content', { location: 'Chicago' });
    expect((structured.result as McpToolResult).structuredContent).toMatchObject({ temperature: expect.any(Number), conditions: expect.any(String) });
    expect(JSON.parse(structured.content)).toEqual((structured.result as McpToolResult).structuredContent);

    const resource = await callTool(tools, 'get-resource-reference', { resourceType: 'Text', resourceId: 2 });
    expect((resource.result as McpToolResult).resources[0]).toMatchObject({ uri: 'demo://resource/dynamic/text/2', mimeType: 'text/plain', text: expect.stringContaining('Resource 2') });
  });

  it('turns progress notifications into trace events under the call', async () => {
    const ctx = new RunContext();
    const out = await callTool(tools, 'trigger-long-running-operation', { duration: 0.3, steps: 3 }, ctx);
    expect(out.ok).toBe(true);
    const progress = ctx.tracer.spans.filter((s) => s.kind === 'event' && s.name === 'mcp.progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]!.attributes).toMatchObject({ callId: out.callId, 'mcp.tool': 'trigger-long-running-operation', progress: 1, total: 3 });
  });

  it('a cancelled run stops waiting at once, and the server stays usable', async () => {
    const controller = new AbortController();
    const ctx = new RunContext({ signal: controller.signal });
    const pid = server.pid!;
    const t0 = Date.now();
    const pending = callTool(tools, 'trigger-long-running-operation', { duration: 5, steps: 5 }, ctx);
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toBeInstanceOf(RunAborted);
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect(server.pid).toBe(pid);
    expect((await callTool(tools, 'echo', { message: 'still here' })).content).toBe('Echo: still here');
  });

  it('a server killed mid-call is a tool error for the model; the next call restarts it', async () => {
    const first = server.pid!;
    const pending = callTool(tools, 'trigger-long-running-operation', { duration: 5, steps: 5 });
    await new Promise((r) => setTimeout(r, 200));
    process.kill(first, 'SIGKILL');
    const out = await pending;
    expect(out.ok).toBe(false);
    expect(out.content).toMatch(/Connection closed/i);
    expect(await gone(first)).toBe(true);
    const again = await callTool(tools, 'echo', { message: 'back' });
    expect(again.content).toBe('Echo: back');
    expect(server.pid).toBeGreaterThan(0);
    expect(server.pid).not.toBe(first);
  });

  it('close() ends the server process', async () => {
    const own = mcpServer({ command: process.execPath, args: [EVERYTHING, 'stdio'] });
    await own.tools();
    const pid = own.pid!;
    expect(alive(pid)).toBe(true);
    await own.close();
    expect(await gone(pid)).toBe(true);
  });
});
