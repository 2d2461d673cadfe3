import { describe, expect, it } from 'vitest';
import { context, trace, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import { z } from 'zod';
import { Agent, run, tool } from 'agent-patterns';
import { scripted } from 'agent-patterns/testing';
import { OpenTelemetrySink } from '../../src/core/sinks/otel.js';

interface Recorded {
  name: string;
  options: SpanOptions;
  parentName: string | undefined;
  ended?: number;
  status?: { code: number; message?: string };
}

/** A minimal OpenTelemetry tracer that records what the sink asks of it (no SDK needed). */
function recordingTracer(): { tracer: Tracer; spans: Recorded[] } {
  const spans: Recorded[] = [];
  const tracer = {
    startSpan(name: string, options: SpanOptions = {}, parent?: Context): Span {
      const parentSpan = parent ? (trace.getSpan(parent) as (Span & { rec?: Recorded }) | undefined) : undefined;
      const rec: Recorded = { name, options, parentName: parentSpan?.rec?.name };
      spans.push(rec);
      const span = trace.wrapSpanContext({ traceId: '0'.repeat(31) + '1', spanId: String(spans.length).padStart(16, '0'), traceFlags: 1 }) as Span & { rec?: Recorded };
      span.rec = rec;
      span.end = (t?: unknown) => void (rec.ended = t as number);
      span.setStatus = (s) => ((rec.status = s), span);
      span.setAttribute = (k, v) => ((rec.options.attributes = { ...rec.options.attributes, [k]: v as string }), span);
      return span;
    },
  } as unknown as Tracer;
  return { tracer, spans };
}

describe('OpenTelemetry sink', () => {
  it('emits the run as a tree with GenAI attributes, parents before children', async () => {
    const { tracer, spans } = recordingTracer();
    const sink = await OpenTelemetrySink.create({ tracer });
    const getOrder = tool({ name: 'get_order', description: 'Fetch an order.', input: z.object({ id: z.string() }), execute: () => ({ status: 'shipped' }) });
    const model = scripted([{ toolCalls: [{ name: 'get_order', args: { id: '1' } }], usage: { inputTokens: 12, outputTokens: 4, cacheReadTokens: 8, reasoningTokens: 2 } }, 'shipped']);
    await context.with(context.active(), () => run(new Agent({ name: 'support', instructions: 'x', model, tools: [getOrder] }), 'where?', { sinks: [sink] }));
    expect(spans.map((s) => s.name)).toEqual(['run support', 'chat scripted', 'execute_tool get_order', 'chat scripted']);
    expect(spans.slice(1).every((s) => s.parentName === 'run support')).toBe(true);
    expect(spans[1]!.options.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat', 'gen_ai.system': 'scripted', 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 4,
      'agent_patterns.usage.cacheReadTokens': 8, 'agent_patterns.usage.reasoningTokens': 2,
    });
    expect(spans[2]!.options.attributes).toMatchObject({ 'gen_ai.tool.name': 'get_order', 'gen_ai.tool.call.id': 'call_0_0' });
    for (const s of spans) expect(s.ended).toBeGreaterThanOrEqual(s.options.startTime as number);
  });

  it('marks failed spans with error status', async () => {
    const { tracer, spans } = recordingTracer();
    const sink = await OpenTelemetrySink.create({ tracer });
    const model = scripted(() => ({ error: { status: 500, message: 'provider down' } }));
    await expect(run(new Agent({ name: 'a', instructions: 'x', model }), 'x', { sinks: [sink] })).rejects.toThrow(/provider down/);
    expect(spans.find((s) => s.name === 'chat scripted')?.status).toMatchObject({ code: 2, message: 'scripted: provider down' });
  });
});
