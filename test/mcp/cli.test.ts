/** `agent-patterns mcp tools|serve` and `run order-support --mcp`, as a user runs them. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../support/cli.js';
import { FILESYSTEM, gone } from './support.js';

const BIN = fileURLToPath(new URL('../../bin/agent-patterns.js', import.meta.url));

afterEach(() => vi.restoreAllMocks());

describe('agent-patterns mcp', () => {
  it('mcp tools lists a server\'s tools with the policy each gets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-mcp-cli-'));
    try {
      const r = await cli('mcp', 'tools', process.execPath, FILESYSTEM, dir);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^MCP server "server-filesystem": \d+ tools/);
      expect(r.out).toMatch(/move_file\s+destructive\s+destructive: human approval \(default\)/);
      expect(r.out).toMatch(/read_text_file\s+read-only\s+read-only/);
      expect(r.out).toMatch(/create_directory\s+write\s+write: runs \(not destructive\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mcp tools on a command that is not a server fails with one clear line', async () => {
    const r = await cli('mcp', 'tools', '--', process.execPath, '-e', 'process.exit(0)');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^agent-patterns: MCP server ".*": could not start/);
  });

  it('run order-support --mcp answers through Vend\'s order service over stdio', async () => {
    const r = await cli('run', 'order-support', '--mcp', '--json', '--input', 'Where is order 1042?');
    const json = JSON.parse(r.out) as { answer: string; trace: { kind: string; attributes: Record<string, unknown> }[] };
    expect(json.answer).toBe('Order 1042 is shipped with DHL (estimated delivery 2026-06-01).');
    expect(json.trace.find((s) => s.kind === 'tool')!.attributes).toMatchObject({ 'mcp.server': 'vend-orders', 'mcp.tool': 'get_order' });
    const other = await cli('run', 'data-quality', '--mcp');
    expect(other.err).toMatch(/data-quality has no MCP variant; --mcp works with: order-support/);
  });

  it('mcp serve: the Vend examples as tools over stdio, with progress', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', 'serve', 'order-support', 'troubleshooting'], stderr: 'pipe' });
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['order-support', 'troubleshooting']);
    // Read on the wire: the SDK client hands a notification to its handler a tick later, so progress that
    // arrives in the same chunk as the result (this run takes ~2 ms) is dropped by it, not by us.
    const wire: { method?: string; params?: { message?: string }; result?: unknown }[] = [];
    const deliver = transport.onmessage!;
    transport.onmessage = (message) => {
      wire.push(message as (typeof wire)[number]);
      deliver(message);
    };
    const out = await client.callTool({ name: 'order-support', arguments: { input: 'Where is order 1045?' } }, undefined, { onprogress: () => undefined });
    expect(out.structuredContent).toEqual({ outcome: 'answered', text: expect.stringMatching(/^Order 1045 is delayed/) });
    const progress = wire.filter((m) => m.method === 'notifications/progress').map((m) => m.params!.message);
    // The example's guardrails report their verdicts too, and the guarded agent's step closes inside its support desk.
    expect(progress).toEqual(['decision guardrail:own-orders', 'model order-support', 'tool get_order', 'model order-support', 'decision guardrail:prices-from-tools', 'step order-support']);
    // All of them before the result.
    expect(wire.findIndex((m) => m.result)).toBe(wire.length - 1);
    const pid = transport.pid!;
    await client.close();
    expect(await gone(pid)).toBe(true);
  });

  it('mcp serve --http binds where asked, behind a bearer token', async () => {
    const child = spawn(process.execPath, [BIN, 'mcp', 'serve', 'order-support', '--http', '127.0.0.1:0', '--token', 's3cret'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const [line] = (await once(child.stdout!, 'data')) as [Buffer];
      const url = line.toString().trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const client = new Client({ name: 'test', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: 'Bearer s3cret' } } }));
      const out = await client.callTool({ name: 'order-support', arguments: { input: 'Where is order 1042?' } });
      expect(out.content).toEqual([{ type: 'text', text: 'Order 1042 is shipped with DHL (estimated delivery 2026-06-01).' }]);
      await client.close();
      const denied = await fetch(url, { method: 'POST', body: '{}' });
      expect(denied.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
