/**
 * The per-run tracer. Every run keeps its own spans in memory (returned with
 * the result and dropped with it, so nothing accumulates across runs) and
 * forwards each finished span to the configured sinks.
 */
import { redact } from './redact.js';
import type { SpanKind, SpanRecord, TraceSink } from './span.js';

const RESOLVED: Promise<void> = Promise.resolve();
function noop(): void {}

export class ActiveSpan {
  private readonly t0: number;
  constructor(
    private readonly tracer: Tracer,
    readonly record: SpanRecord,
  ) {
    this.t0 = performance.now();
  }

  get id(): string {
    return this.record.spanId;
  }

  set(key: string, value: unknown): this {
    this.record.attributes[key] = value;
    return this;
  }

  end(attributes?: Record<string, unknown>): void {
    if (attributes) Object.assign(this.record.attributes, attributes);
    this.record.durationMs = performance.now() - this.t0;
    this.tracer.finish(this.record);
  }

  fail(err: unknown, attributes?: Record<string, unknown>): void {
    const e = err instanceof Error ? err : new Error(String(err));
    this.record.status = 'error';
    this.record.error = { name: e.name, message: e.message };
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') this.record.error.code = code;
    this.end(attributes);
  }
}

export class Tracer {
  /** Finished spans of this run, in the order they finished. */
  readonly spans: SpanRecord[] = [];
  private seq = 0;
  /** Makes span ids unique across tracers of one run (a resumed run gets a new tracer in a new process). */
  private readonly prefix = Math.random().toString(36).slice(2, 8);

  constructor(
    readonly traceId: string,
    private readonly sinks: readonly TraceSink[] = [],
  ) {}

  start(kind: SpanKind, name: string, parentId: string | undefined, attributes?: Record<string, unknown>): ActiveSpan {
    const record: SpanRecord = {
      traceId: this.traceId,
      spanId: `${this.prefix}.${(++this.seq).toString(36)}`,
      parentId,
      kind,
      name,
      startTime: Date.now(),
      durationMs: 0,
      status: 'ok',
      attributes: attributes ?? {},
    };
    return new ActiveSpan(this, record);
  }

  /** A zero-duration span: a routing decision, a verdict, a budget event. */
  event(kind: SpanKind, name: string, parentId: string | undefined, attributes: Record<string, unknown>): void {
    this.start(kind, name, parentId, attributes).end();
  }

  finish(record: SpanRecord): void {
    record.attributes = redact(record.attributes) as Record<string, unknown>;
    this.spans.push(record);
    for (let i = 0; i < this.sinks.length; i++) this.sinks[i]!.onSpan(record);
  }

  flush(): Promise<void> {
    // No sinks (the default): nothing to wait for, and no new promise per run.
    if (this.sinks.length === 0) return RESOLVED;
    return Promise.all(this.sinks.map((s) => s.flush?.())).then(noop);
  }
}

/** Builds the parent → children tree of a trace, for display and for tests of nesting. */
export interface SpanNode {
  span: SpanRecord;
  children: SpanNode[];
}

export function spanTree(spans: readonly SpanRecord[]): SpanNode[] {
  const nodes = new Map<string, SpanNode>();
  for (const span of spans) nodes.set(span.spanId, { span, children: [] });
  const roots: SpanNode[] = [];
  for (const node of [...nodes.values()].sort((a, b) => a.span.startTime - b.span.startTime)) {
    const parent = node.span.parentId ? nodes.get(node.span.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}
