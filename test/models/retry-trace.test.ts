import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { callModel } from '../../src/core/call-model.js';
import { RunContext } from '../../src/core/context.js';
import { OpenAIResponsesModel } from '../../src/models/openai.js';
import { errorReply, jsonReply, responseObject } from '../support/wire/openai-responses.js';
import { inOrder, wireServerPerTest } from '../support/wire/server.js';

const serve = wireServerPerTest();

function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), lines };
}

describe('retries are visible in the trace and the log', () => {
  it('counts retries onto the model span and logs a warn per retry, without the API key', async () => {
    const server = await serve(
      inOrder(errorReply(500, 'upstream error'), errorReply(429, 'slow down', { headers: { 'retry-after-ms': '20' } }), jsonReply(responseObject([{ text: 'ok' }]), 'req_after_retries')),
    );
    const model = new OpenAIResponsesModel('gpt-4o', { baseUrl: `${server.origin}/v1`, apiKey: 'sk-secret-trace', retryBaseDelayMs: 1 });
    const { logger, lines } = memoryLogger();
    const ctx = new RunContext({ logger });
    const res = await callModel(ctx, model, { messages: [{ role: 'user', content: 'hi' }] });
    expect(res.text).toBe('ok');

    const span = ctx.tracer.spans.find((s) => s.kind === 'model')!;
    expect(span.status).toBe('ok');
    expect(span.attributes.retries).toBe(2);
    expect(span.attributes.providerRequestId).toBe('req_after_retries');

    await new Promise((r) => setImmediate(r));
    const retryLogs = lines.filter((l) => l.msg === 'model call failed; retrying');
    expect(retryLogs.map((l) => [l.attempt, l.status])).toEqual([
      [1, 500],
      [2, 429],
    ]);
    expect(retryLogs[0]).toMatchObject({ provider: 'openai', model: 'gpt-4o', level: 40 });
    expect(JSON.stringify(lines)).not.toContain('sk-secret-trace');
  });

  it('a call that never needed a retry has no retries attribute', async () => {
    const server = await serve(() => jsonReply(responseObject([{ text: 'first time' }])));
    const model = new OpenAIResponsesModel('gpt-4o', { baseUrl: `${server.origin}/v1`, apiKey: 'k' });
    const ctx = new RunContext();
    await callModel(ctx, model, { messages: [{ role: 'user', content: 'hi' }] });
    expect(ctx.tracer.spans[0]!.attributes.retries).toBeUndefined();
  });
});
