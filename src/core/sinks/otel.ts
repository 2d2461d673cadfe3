/**
 * Exports a run's spans to OpenTelemetry, with the GenAI semantic
 * conventions on model and tool spans. Our spans are recorded when they
 * finish, children before parents; OpenTelemetry wants a parent before its
 * children, so the sink holds a run's spans until its root finishes, then
 * emits the tree top-down with the recorded start and end times.
 * `@opentelemetry/api` is an optional peer dependency, loaded by `create()`.
 */
import type { Context, Span as OtelSpan, Tracer as OtelTracer } from '@opentelemetry/api';
import type { SpanRecord, TraceSink } from '../span.js';
import { spanTree, type SpanNode } from '../tracer.js';

type OtelApi = typeof import('@opentelemetry/api');

export class OpenTelemetrySink implements TraceSink {
  private readonly pending = new Map<string, SpanRecord[]>();

  private constructor(
    private readonly api: OtelApi,
    private readonly tracer: OtelTracer,
  ) {}

  /** Uses the given tracer, or the global provider's tracer named "agent-patterns". */
  static async create(options: { tracer?: OtelTracer } = {}): Promise<OpenTelemetrySink> {
    const api = await import('@opentelemetry/api');
    return new OpenTelemetrySink(api, options.tracer ?? api.trace.getTracer('agent-patterns'));
  }

  onSpan(span: SpanRecord): void {
    let spans = this.pending.get(span.traceId);
    if (!spans) this.pending.set(span.traceId, (spans = []));
    spans.push(span);
    if (span.parentId === undefined) {
      this.pending.delete(span.traceId);
      for (const root of spanTree(spans)) this.emit(root, this.api.context.active());
    }
  }

  private emit(node: SpanNode, parent: Context): void {
    const s = node.span;
    const otel: OtelSpan = this.tracer.startSpan(
      otelName(s),
      { startTime: s.startTime, kind: this.api.SpanKind.INTERNAL, attributes: otelAttributes(s) },
      parent,
    );
    if (s.status === 'error') {
      otel.setStatus({ code: this.api.SpanStatusCode.ERROR, message: s.error?.message ?? 'error' });
      if (s.error) otel.setAttribute('error.type', s.error.code ?? s.error.name);
    }
    const ctx = this.api.trace.setSpan(parent, otel);
    for (const child of node.children) this.emit(child, ctx);
    otel.end(s.startTime + s.durationMs);
  }
}

function otelName(s: SpanRecord): string {
  if (s.kind === 'model') return `chat ${String(s.attributes.model ?? s.name)}`;
  if (s.kind === 'tool') return `execute_tool ${s.name}`;
  return `${s.kind} ${s.name}`;
}

type AttrValue = string | number | boolean;

/** GenAI semantic-convention attributes where they apply, the rest under agent_patterns.*. */
export function otelAttributes(s: SpanRecord): Record<string, AttrValue> {
  const a = s.attributes;
  const out: Record<string, AttrValue> = { 'agent_patterns.run_id': s.traceId, 'agent_patterns.kind': s.kind };
  if (s.kind === 'model') {
    out['gen_ai.operation.name'] = 'chat';
    if (typeof a.provider === 'string') out['gen_ai.system'] = a.provider;
    if (typeof a.model === 'string') out['gen_ai.request.model'] = a.model;
    const usage = a.usage as { inputTokens?: number; outputTokens?: number } | undefined;
    if (usage?.inputTokens !== undefined) out['gen_ai.usage.input_tokens'] = usage.inputTokens;
    if (usage?.outputTokens !== undefined) out['gen_ai.usage.output_tokens'] = usage.outputTokens;
    // Cache and reasoning counts (parts of the two totals above) keep their names under agent_patterns.usage.*.
    for (const [k, v] of Object.entries(usage ?? {})) if (k !== 'inputTokens' && k !== 'outputTokens' && typeof v === 'number') out[`agent_patterns.usage.${k}`] = v;
    if (typeof a.providerRequestId === 'string') out['gen_ai.response.id'] = a.providerRequestId;
    if (typeof a.finishReason === 'string') out['gen_ai.response.finish_reasons'] = a.finishReason;
  } else if (s.kind === 'tool') {
    out['gen_ai.operation.name'] = 'execute_tool';
    out['gen_ai.tool.name'] = s.name;
    if (typeof a.callId === 'string') out['gen_ai.tool.call.id'] = a.callId;
  }
  for (const [key, value] of Object.entries(a)) {
    if (value === undefined || key === 'usage') continue;
    out[`agent_patterns.${key}`] = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);
  }
  return out;
}
