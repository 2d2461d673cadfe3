/**
 * Our server, seen by the official SDK's Client over stdio and Streamable
 * HTTP, and by our own client: steps and agents as tools, input schemas,
 * progress, cancellation that aborts the run, a pending approval answered at
 * once, the bearer token, and Vend's order service (examples/mcp).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RunContext } from '../../src/core/context.js';
import { RunAborted } from '../../src/core/errors.js';
import { step } from '../../src/core/step.js';
import type { Store } from '../../src/store/types.js';
import { tool } from '../../src/core/tool.js';
import { mcpServer, serveMcp, type McpServing, type Servable } from '../../src/mcp/index.js';
import { scripted, toolResults } from '../../src/models/scripted.js';
import { Agent } from '../../src/patterns/agent.js';
import { openStore } from '../../src/store/open.js';
import { callTool, gone, ORDER_SERVER } from './support.js';

const aborted: string[] = [];

/** A step that works in ticks until cancelled, recording that it saw the abort. */
const slow = step('slow_count', async ({ ticks }: { ticks: number }, ctx) => {
  for (let i = 0; i < ticks; i++) {
    if (ctx.aborted) {
      aborted.push(`stopped at ${i}`);
      ctx.throwIfAborted();
    }
    ctx.tracer.event('event', `tick ${i}`, ctx.spanId, {});
    await new Promise((r) => setTimeout(r, 50));
  }
  return { counted: ticks };
});

function refundAgent() {
  const refund = tool({
    name: 'refund',
    description: 'Refund an order. Irreversible.',
    input: z.object({ order_id: z.string(), amount: z.number() }),
    irreversible: true,
    approval: { reviewer: 'finance' },
    execute: ({ order_id, amount }) => ({ refunded: amount, order_id }),
  });
  const model = scripted((req) => (toolResults(req).length ? 'refunded' : { toolCalls: [{ name: 'refund', args: { order_id: '1045', amount: 420 } }] }));
  return new Agent({ name: 'refunds', instructions: 'Refund late orders.', model, tools: [refund], maxTurns: 3 });
}

function steps(): Servable[] {
  const echoAgent = new Agent({ name: 'echo_agent', instructions: 'Repeat.', model: scripted((req) => `you said: ${req.messages.at(-1)!.content as string}`) });
  return [
    { step: slow, input: z.object({ ticks: z.number().int().min(1).max(200) }), description: 'Counts slowly.', annotations: { readOnlyHint: true } },
    echoAgent,
    { step: refundAgent(), name: 'refunds' },
  ];
}

describe('serveMcp over Streamable HTTP', () => {
  let serving: McpServing;
  let dir: string;
  let store: Store;
  const TOKEN = 'test-token-123';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ap-mcp-serve-'));
    store = await openStore(join(dir, 'state.db'));
    serving = await serveMcp(steps(), { transport: { http: { token: TOKEN } }, store });
  });
  afterAll(async () => {
    await serving.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function sdkClient(token = TOKEN): Promise<Client> {
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(serving.url!), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    return client;
  }

  it('binds to 127.0.0.1 and refuses a request without the bearer token', async () => {
    expect(serving.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const res = await fetch(serving.url!, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(res.status).toBe(401);
    await expect(sdkClient('wrong')).rejects.toThrow(/401|bearer/i);
  });

  it('lists steps and agents as tools: the step\'s input schema, or a single input string', async () => {
    const client = await sdkClient();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['slow_count', 'echo_agent', 'refunds']);
    expect(tools[0]!.inputSchema).toMatchObject({ type: 'object', properties: { ticks: { type: 'integer', minimum: 1, maximum: 200 } }, required: ['ticks'] });
    expect(tools[0]!.annotations).toEqual({ readOnlyHint: true });
    expect(tools[1]!.inputSchema).toMatchObject({ properties: { input: { type: 'string' } }, required: ['input'] });
    const answer = await client.callTool({ name: 'echo_agent', arguments: { input: 'hello' } });
    expect(answer.content).toEqual([{ type: 'text', text: 'you said: hello' }]);
    expect(answer.structuredContent).toMatchObject({ text: 'you said: hello', stopReason: 'final' });
    const invalid = await client.callTool({ name: 'slow_count', arguments: { ticks: 0 } });
    expect(invalid).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringMatching(/^invalid arguments: ticks: /) }] });
    await client.close();
  });

  it('sends progress while a call runs', async () => {
    const client = await sdkClient();
    const progress: { progress: number; message?: string }[] = [];
    const out = await client.callTool({ name: 'slow_count', arguments: { ticks: 3 } }, undefined, { onprogress: (p) => progress.push(p) });
    expect(out.structuredContent).toEqual({ counted: 3 });
    expect(progress.map((p) => p.message)).toEqual(['event tick 0', 'event tick 1', 'event tick 2']);
    await client.close();
  });

  it('a client that cancels aborts the run on the server', async () => {
    const client = await sdkClient();
    const controller = new AbortController();
    const call = client.callTool({ name: 'slow_count', arguments: { ticks: 200 } }, undefined, { signal: controller.signal });
    setTimeout(() => controller.abort('changed my mind'), 200);
    await expect(call).rejects.toThrow();
    const until = Date.now() + 3_000;
    while (!aborted.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(aborted[0]).toMatch(/^stopped at \d+$/);
    expect(Number(aborted[0]!.split(' ').at(-1))).toBeLessThan(200);
    await client.close();
  });

  it('a run that needs a human approval answers with the pending approval instead of blocking', async () => {
    const client = await sdkClient();
    const out = await client.callTool({ name: 'refunds', arguments: { input: 'refund 1045' } });
    expect(out.isError).toBeFalsy();
    expect(out.content).toEqual([{ type: 'text', text: expect.stringMatching(/^Waiting for human approval \(.+\); the action was not taken yet/) }]);
    const { runId, pending } = out.structuredContent as { runId: string; pending: { approvalId: string; tool: string; reviewer: string }[] };
    expect(pending).toEqual([{ approvalId: expect.any(String), tool: 'refund', reviewer: 'finance' }]);
    expect(await store.listApprovals({ runId, status: 'pending' })).toHaveLength(1);
    await client.close();
  });

  it('our client against our server: the same tools, validated and called', async () => {
    const ours = mcpServer({ url: serving.url!, headers: { authorization: `Bearer ${TOKEN}` }, name: 'ours' });
    const tools = await ours.tools();
    expect(tools.find((t) => t.name === 'slow_count')!.mcp.effect).toBe('read-only');
    // No annotations: the specification's defaults make it destructive, so it needs an approval.
    expect(tools.find((t) => t.name === 'echo_agent')!.mcp.policy).toBe('destructive: human approval (default)');
    expect((await callTool(tools, 'slow_count', { ticks: 1000 })).content).toContain('invalid arguments for slow_count: ticks: must be <= 200');
    expect(JSON.parse((await callTool(tools, 'slow_count', { ticks: 2 })).content)).toEqual({ counted: 2 });
    await ours.close();
  });

  it('our client cancels: a cancelled run sends notifications/cancelled, and our server aborts its run', async () => {
    const ours = mcpServer({ url: serving.url!, headers: { authorization: `Bearer ${TOKEN}` }, name: 'ours' });
    const tools = await ours.tools();
    aborted.length = 0;
    const controller = new AbortController();
    const pending = callTool(tools, 'slow_count', { ticks: 200 }, new RunContext({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toBeInstanceOf(RunAborted);
    const until = Date.now() + 3_000;
    while (!aborted.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(aborted[0]).toMatch(/^stopped at \d+$/);
    await ours.close();
  });
});

describe('Vend\'s order service (examples/mcp) over stdio', () => {
  it('answers the official SDK client', async () => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [ORDER_SERVER], stderr: 'pipe' });
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => [t.name, t.annotations])).toEqual([
      ['get_order', { readOnlyHint: true }],
      ['create_support_ticket', { readOnlyHint: false, destructiveHint: false }],
      ['cancel_order', { readOnlyHint: false, destructiveHint: true }],
    ]);
    const order = await client.callTool({ name: 'get_order', arguments: { order_id: '1042' } });
    expect(order.structuredContent).toMatchObject({ order_id: '1042', status: 'shipped', carrier: 'DHL' });
    const missing = await client.callTool({ name: 'get_order', arguments: { order_id: '99999' } });
    expect(missing).toMatchObject({ isError: true, content: [{ text: 'order 99999 not found' }] });
    const pid = transport.pid!;
    await client.close();
    expect(await gone(pid)).toBe(true);
  });

  it('gives our client its tools, with cancel_order gated by an approval', async () => {
    const orders = mcpServer({ command: process.execPath, args: [ORDER_SERVER], name: 'vend-orders' });
    const tools = await orders.tools();
    expect(tools.map((t) => `${t.name}: ${t.mcp.policy}`)).toEqual([
      'get_order: read-only',
      'create_support_ticket: write: runs (not destructive)',
      'cancel_order: destructive: human approval (default)',
    ]);
    expect((await callTool(tools, 'cancel_order', { order_id: '1042' })).content).toBe('Error: cancel_order needs a human approval and this run has no approval gate; the action was not taken');
    expect(JSON.parse((await callTool(tools, 'get_order', { order_id: '1042' })).content).status).toBe('shipped');
    await orders.close();
  });
});
