import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, JsonlTraceSink, REDACTED, Tracer, redact, run, tool } from 'agent-patterns';
import { scripted } from 'agent-patterns/testing';
import { PINO_REDACT_PATHS } from '../../src/core/redact.js';

const login = tool({
  name: 'login', description: 'Log in to the vendor portal.', input: z.object({ user: z.string(), password: z.string() }),
  execute: () => ({ ok: true, access_token: 'tok-123' }),
});

describe('traces and logs keep secrets out', () => {
  it('redacts secret-named keys in tool arguments in the trace and the JSONL file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-trace-'));
    try {
      const sink = new JsonlTraceSink(join(dir, 'trace.jsonl'));
      const model = scripted([{ toolCalls: [{ name: 'login', args: { user: 'ann', password: 'hunter2' } }] }, 'done']);
      const res = await run(new Agent({ name: 'a', instructions: 'x', model, tools: [login] }), 'go', { sinks: [sink] });
      await sink.close();
      const toolSpan = res.trace.find((s) => s.kind === 'tool')!;
      expect(toolSpan.attributes.args).toEqual({ user: 'ann', password: REDACTED });
      expect(toolSpan.attributes.result).toBe(JSON.stringify({ ok: true, access_token: REDACTED }));
      expect(JSON.stringify(res.trace)).not.toContain('tok-123');
      const file = readFileSync(join(dir, 'trace.jsonl'), 'utf8');
      expect(file).not.toContain('hunter2');
      expect(file).not.toContain('tok-123');
      const lines = file.trim().split('\n').map((l) => JSON.parse(l) as { traceId: string });
      expect(lines).toHaveLength(res.trace.length);
      expect(new Set(lines.map((l) => l.traceId))).toEqual(new Set([res.runId]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('redacts attributes from step code, events and span.set(), even on a span ended as already redacted', () => {
    const tracer = new Tracer('t1');
    tracer.event('decision', 'routed', undefined, { apiKey: 'sk-live-1', route: 'billing' });
    tracer.start('step', 'lookup', undefined, { authorization: 'Bearer abc' }).end();
    const span = tracer.start('model', 'm', undefined);
    span.set('token', 'tok-9');
    span.end({ provider: 'scripted' }, undefined, true);
    tracer.start('model', 'n', undefined).end({ provider: 'scripted', secret: 'kept-as-given' }, undefined, true);
    const [event, step, setSpan, verbatim] = tracer.spans;
    expect(event!.attributes).toEqual({ apiKey: REDACTED, route: 'billing' });
    expect(step!.attributes).toEqual({ authorization: REDACTED });
    expect(setSpan!.attributes).toEqual({ token: REDACTED, provider: 'scripted' });
    // `redacted` is the caller's word for attributes it composed itself, and is taken as given.
    expect(verbatim!.attributes).toEqual({ provider: 'scripted', secret: 'kept-as-given' });
  });

  it('pino redaction hides credentials in log lines', () => {
    const out: string[] = [];
    const stream = new Writable({ write(chunk, _e, cb) { out.push(String(chunk)); cb(); } });
    const log = pino({ redact: { paths: PINO_REDACT_PATHS, censor: REDACTED } }, stream);
    log.info({ config: { apiKey: 'sk-live-1', baseUrl: 'http://x' }, headers: { authorization: 'Bearer abc', 'x-api-key': 'k-9' } }, 'configured');
    log.info({ client: { private_key: 'pk-1', token: 't-1' } }, 'more');
    expect(out.join('')).not.toContain('k-9');
    expect(out.join('')).not.toContain('pk-1');
    expect(out.join('')).not.toContain('t-1');
    expect(out.join('')).not.toContain('sk-live-1');
    expect(out.join('')).not.toContain('Bearer abc');
    expect(out.join('')).toContain('http://x');
  });

  it('property: redact never leaves a secret-named key holding its value', () => {
    const secretKey = fc.constantFrom('password', 'apiKey', 'api_key', 'authorization', 'secret', 'access_token');
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), secretKey, fc.string({ minLength: 1 }), (obj, key, value) => {
        const input = { ...obj, nested: { [key]: value, list: [{ [key]: value }] } };
        const out = redact(input) as { nested: Record<string, unknown> & { list: Record<string, unknown>[] } };
        expect(out.nested[key]).toBe(REDACTED);
        expect(out.nested.list[0]![key]).toBe(REDACTED);
      }),
    );
  });
});
