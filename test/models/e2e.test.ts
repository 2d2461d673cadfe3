/**
 * End to end: the order-support example (pattern 1) on each real provider,
 * talking to a local server that speaks the provider's wire format, and the
 * same through the built CLI with the provider configured from the environment.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { example, SYSTEM_PROMPT } from '../../examples/vend/order-support.js';
import { ORDERS } from '../../examples/vend/data/orders.js';
import { z } from 'zod';
import { run as runStep } from '../../src/core/run.js';
import { prompt } from '../../src/patterns/prompt.js';
import { createModel } from '../../src/models/registry.js';
import { anthropicJsonReply, messageObject } from '../support/wire/anthropic-messages.js';
import { chatJsonReply, completionObject } from '../support/wire/chat-completions.js';
import { errorReply, jsonReply, responseObject, responsesMediaProblems } from '../support/wire/openai-responses.js';
import { anthropicOrderSupportResponder, missingCacheBreakpoints, toolResultBlocks } from '../support/wire/anthropic-messages.js';
import { chatOrderSupportResponder } from '../support/wire/chat-completions.js';
import { functionOutputs, orderSupportResponder } from '../support/wire/openai-responses.js';
import { wireServerPerTest, type WireReply } from '../support/wire/server.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const order = ORDERS.get('1042')!;
const expectedAnswer = `Order 1042 is ${order.status} with ${order.carrier}, arriving ${order.eta}.`;

const serve = wireServerPerTest();

describe('order-support on real providers (local wire servers)', () => {
  it('openai: get_order call, tool output sent back as function_call_output, final answer from it', async () => {
    const server = await serve(orderSupportResponder);
    const model = await createModel('openai:gpt-4o', { baseUrl: `${server.origin}/v1`, apiKey: 'sk-e2e' });
    const out = await example.run('Where is order 1042?', { model });

    expect(out.answer).toBe(expectedAnswer);
    expect(out.outcome).toBe('answered');
    expect(out.actions).toMatchObject([{ tool: 'get_order', ok: true, args: { order_id: '1042' } }]);
    expect(out.result.scripted).toBe(false);

    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(first!.body.instructions).toBe(SYSTEM_PROMPT);
    expect(first!.body.tools.map((t: { name: string }) => t.name)).toEqual(['get_order', 'create_support_ticket']);
    const call = second!.body.input.find((i: { type?: string }) => i.type === 'function_call');
    const [output] = functionOutputs(second!.body);
    expect(output!.call_id).toBe(call.call_id);
    expect(JSON.parse(output!.output)).toMatchObject({ order_id: '1042', status: order.status });

    const modelSpans = out.result.trace.filter((s) => s.kind === 'model');
    expect(modelSpans).toHaveLength(2);
    for (const s of modelSpans) {
      expect(s.attributes.provider).toBe('openai');
      expect(String(s.attributes.providerRequestId)).toMatch(/^req_/);
    }
  });

  it('anthropic: tool_use, tool_result back in a user turn, final answer from it', async () => {
    const server = await serve(anthropicOrderSupportResponder);
    const model = await createModel('anthropic:claude-sonnet-5-5', { baseUrl: server.origin, apiKey: 'sk-ant-e2e' });
    const out = await example.run('Where is order 1042?', { model });
    expect(out.answer).toBe(expectedAnswer);
    expect(out.actions).toMatchObject([{ tool: 'get_order', ok: true }]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.body.system).toEqual([{ type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }]);
    // The stable prefix carries cache_control on every turn: system, tools, the first message.
    for (const r of server.requests) expect(missingCacheBreakpoints(r.body)).toEqual([]);
    const [result] = toolResultBlocks(server.requests[1]!.body);
    expect(JSON.parse(result!.content)).toMatchObject({ order_id: '1042', carrier: order.carrier });
  });

  it('openai-compatible: tool_calls, role "tool" result, final answer from it', async () => {
    const server = await serve(chatOrderSupportResponder);
    const model = await createModel('openai-compatible:llama3.1', { baseUrl: `${server.origin}/v1` });
    const out = await example.run('Where is order 1042?', { model });
    expect(out.answer).toBe(expectedAnswer);
    expect(out.actions).toMatchObject([{ tool: 'get_order', ok: true }]);
    const tool = server.requests[1]!.body.messages.find((m: { role: string }) => m.role === 'tool');
    expect(JSON.parse(tool.content)).toMatchObject({ order_id: '1042', eta: order.eta });
  });
});

describe('structured output through prompt() on each provider', () => {
  const Verdict = z.object({ verdict: z.enum(['refund', 'deny']), reason: z.string() });
  const answer = { verdict: 'refund', reason: 'arrived broken' };
  const cases: [string, (origin: string) => Parameters<typeof createModel>, (body: any) => WireReply][] = [
    ['openai:gpt-4o', (o) => ['openai:gpt-4o', { baseUrl: `${o}/v1`, apiKey: 'k' }], () => jsonReply(responseObject([{ text: JSON.stringify(answer) }]))],
    ['openai-compatible:llama3.1', (o) => ['openai-compatible:llama3.1', { baseUrl: `${o}/v1` }], () => chatJsonReply(completionObject({ text: JSON.stringify(answer) }))],
    [
      'anthropic:claude-sonnet-5-5',
      (o) => ['anthropic:claude-sonnet-5-5', { baseUrl: o, apiKey: 'k' }],
      (body) => anthropicJsonReply(messageObject([{ toolUse: { name: body.tool_choice.name, input: answer } }])),
    ],
  ];
  for (const [name, spec, reply] of cases) {
    it(`${name}: the validated object comes back`, async () => {
      const server = await serve((req) => reply(req.body));
      const model = await createModel(...spec(server.origin));
      const judge = prompt({ name: 'refund-judge', model, instructions: 'Decide the refund.', output: Verdict });
      const result = await runStep(judge, 'My grinder arrived broken.');
      expect(result.output).toEqual(answer);
      expect(server.requests).toHaveLength(1);
    });
  }
});

describe('the CLI on a real provider', () => {
  beforeAll(async () => {
    // test/global-setup.ts builds dist/ once before any suite runs.
    if (!existsSync(`${root}dist/src/cli/main.js`)) throw new Error('the build produced no dist/src/cli/main.js');
  }, 180_000);

  it('agent-patterns run order-support --model openai:gpt-4o, configured by OPENAI_BASE_URL / OPENAI_API_KEY', async () => {
    const server = await serve(orderSupportResponder);
    const env = { ...process.env, OPENAI_BASE_URL: `${server.origin}/v1`, OPENAI_API_KEY: 'sk-cli-e2e' };
    const { stdout } = await run(
      'node',
      ['bin/agent-patterns.js', 'run', 'order-support', '--model', 'openai:gpt-4o', '--input', 'Where is order 1042?', '--json'],
      { cwd: root, env },
    );
    const json = JSON.parse(stdout) as { answer: string; scripted: boolean; model: string; actions: { tool: string; ok: boolean }[] };
    expect(json.answer).toBe(expectedAnswer);
    expect(json.scripted).toBe(false);
    expect(json.model).toBe('openai:gpt-4o');
    expect(json.actions).toMatchObject([{ tool: 'get_order', ok: true }]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer sk-cli-e2e');
    // The key never reaches the output.
    expect(stdout).not.toContain('sk-cli-e2e');
  });

  it('--model ai-sdk:openai/gpt-4o loads @ai-sdk/openai and runs the example through it', async () => {
    const server = await serve(orderSupportResponder);
    const env = { ...process.env, OPENAI_API_KEY: 'sk-cli-ai-sdk' };
    const { stdout } = await run(
      'node',
      ['bin/agent-patterns.js', 'run', 'order-support', '--model', 'ai-sdk:openai/gpt-4o', '--base-url', `${server.origin}/v1`, '--json'],
      { cwd: root, env },
    );
    const json = JSON.parse(stdout) as { answer: string; scripted: boolean };
    expect(json.answer).toBe(expectedAnswer);
    expect(json.scripted).toBe(false);
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/responses', '/v1/responses']);
    expect(server.requests[0]!.headers['user-agent']).toMatch(/ai-sdk/);
  });

  it('--model ai-sdk:<package not installed>/… says which package to install', async () => {
    const err = (await run('node', ['bin/agent-patterns.js', 'run', 'order-support', '--model', 'ai-sdk:@ai-sdk/google/gemini-2.5-flash'], { cwd: root }).catch(
      (e: unknown) => e,
    )) as { code: number; stderr: string };
    expect(err.code).not.toBe(0);
    expect(err.stderr).toContain('npm install @ai-sdk/google');
  });

  it('run order-support --attach photo.png --attach invoice.pdf sends both as Responses input parts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attach-'));
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
    const pdf = Buffer.from('%PDF-1.7\n%%EOF\n');
    writeFileSync(join(dir, 'parcel.png'), png);
    writeFileSync(join(dir, 'invoice.pdf'), pdf);
    const server = await serve((req) => {
      const problems = responsesMediaProblems(req.body);
      return problems.length ? errorReply(400, problems.join('; ')) : orderSupportResponder(req);
    });
    const env = { ...process.env, OPENAI_BASE_URL: `${server.origin}/v1`, OPENAI_API_KEY: 'sk-attach' };
    const args = ['bin/agent-patterns.js', 'run', 'order-support', '--model', 'openai:gpt-4o', '--json', '--input', 'Where is order 1042?', '--attach', join(dir, 'parcel.png'), '--attach', join(dir, 'invoice.pdf')];
    const { stdout } = await run('node', args, { cwd: root, env });
    expect((JSON.parse(stdout) as { answer: string }).answer).toBe(expectedAnswer);
    const user = (server.requests[0]!.body.input as any[]).find((i) => i.role === 'user');
    expect(user.content).toEqual([
      { type: 'input_text', text: 'Where is order 1042?' },
      { type: 'input_image', detail: 'auto', image_url: `data:image/png;base64,${png.toString('base64')}` },
      { type: 'input_file', filename: 'invoice.pdf', file_data: `data:application/pdf;base64,${pdf.toString('base64')}` },
    ]);
    const refused = (await run('node', ['bin/agent-patterns.js', 'run', 'troubleshooting', '--attach', join(dir, 'parcel.png')], { cwd: root }).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('takes text only');
  });

  it('a missing OPENAI_API_KEY is one clear line and a non-zero exit', async () => {
    const env = { ...process.env };
    delete env.OPENAI_API_KEY;
    const err = (await run('node', ['bin/agent-patterns.js', 'run', 'order-support', '--model', 'openai:gpt-4o'], { cwd: root, env }).catch(
      (e: unknown) => e,
    )) as { code: number; stderr: string };
    expect(err.code).not.toBe(0);
    expect(err.stderr).toContain('OPENAI_API_KEY');
    expect(err.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

/** True when dist/src/cli/main.js (rewritten by every build) is newer than every .ts under src/ and examples/. */
