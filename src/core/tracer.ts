/**
 * The per-run tracer. Every run keeps its own spans in memory (returned with
 * the result and dropped with it, so nothing accumulates across runs) and
 * forwards each finished span to the configured sinks.
 */
import { redact } from './redact.js';
import { scrubText } from './secrets.js';
import type { SpanKind, SpanRecord, TraceSink } from './span.js';

const RESOLVED: Promise<void> = Promise.resolve();
const NO_SINKS: readonly TraceSink[] = Object.freeze([]);
function noop(): void {}

/** Why a span failed, as recorded. */
export type SpanError = NonNullable<SpanRecord['error']>;

// One random part per process, a counter per tracer: span ids stay unique across the
// tracers of one run (a resumed run gets a new tracer in a new process) at no cost per run.
const PROCESS_PREFIX = Math.random().toString(36).slice(2, 8);
let tracerSeq = 0;

/**
 * A span in flight. Its record is built once, complete, when it ends: every
 * record has the same shape from birth, and attributes handed over whole at
 * the end are kept as they are (no copy, no properties added one by one).
 */
export class ActiveSpan {
  readonly id: string;
  private readonly startTime: number;
  private readonly t0: number;
  private attributes: Record<string, unknown> | undefined;
  /** Links of the tracer's list of spans in flight (a list threaded through the spans: no allocation). */
  prevOpen: ActiveSpan | undefined = undefined;
  nextOpen: ActiveSpan | undefined = undefined;
  private ended = false;

  constructor(
    private readonly tracer: Tracer,
    private readonly kind: SpanKind,
    private readonly name: string,
    private readonly parentId: string | undefined,
    attributes: Record<string, unknown> | undefined,
    id: string,
  ) {
    this.id = id;
    this.attributes = attributes;
    this.startTime = Date.now();
    this.t0 = performance.now();
    tracer.opened(this);
  }

  set(key: string, value: unknown): this {
    (this.attributes ??= {})[key] = value;
    return this;
  }

  /**
   * Finishes the span; `error` makes it a failed one. Attributes are redacted
   * (secret-named keys replaced) unless `redacted` says the caller already
   * did: the library's own model, run and tool spans, whose attributes it
   * composes itself. Attributes set earlier are always redacted. A span ends
   * once: a late end (work its run abandoned) is ignored.
   */
  end(attributes?: Record<string, unknown>, error?: SpanError, redacted = false): void {
    if (this.ended) return;
    this.ended = true;
    this.tracer.closed(this);
    const own = this.attributes;
    const merged = own === undefined ? (attributes ?? {}) : attributes === undefined ? own : Object.assign(own, attributes);
    const durationMs = performance.now() - this.t0;
    const record: SpanRecord =
      error === undefined
        ? { traceId: this.tracer.traceId, spanId: this.id, parentId: this.parentId, kind: this.kind, name: this.name, startTime: this.startTime, durationMs, status: 'ok', attributes: merged }
        : { traceId: this.tracer.traceId, spanId: this.id, parentId: this.parentId, kind: this.kind, name: this.name, startTime: this.startTime, durationMs, status: 'error', attributes: merged, error };
    this.tracer.finish(record, !(redacted && own === undefined));
  }

  fail(err: unknown, attributes?: Record<string, unknown>): void {
    const e = err instanceof Error ? err : new Error(String(err));
    const code = (e as { code?: unknown }).code;
    this.end(attributes, typeof code === 'string' ? { name: e.name, message: e.message, code } : { name: e.name, message: e.message });
  }
}

export class Tracer {
  /** Finished spans of this run, in the order they finished. */
  readonly spans: SpanRecord[] = [];
  private seq = 0;
  /** The most recent span still in flight (the list goes on through `nextOpen`). */
  private open: ActiveSpan | undefined = undefined;
  private sealed = false;
  private readonly prefix = `${PROCESS_PREFIX}-${(++tracerSeq).toString(36)}`;

  constructor(
    readonly traceId: string,
    private readonly sinks: readonly TraceSink[] = NO_SINKS,
  ) {}

  /** A fresh span id of this run; `start()` takes one reserved earlier (a call told to interceptors before it starts). */
  newSpanId(): string {
    return `${this.prefix}.${(++this.seq).toString(36)}`;
  }

  start(kind: SpanKind, name: string, parentId: string | undefined, attributes?: Record<string, unknown>, id: string = this.newSpanId()): ActiveSpan {
    return new ActiveSpan(this, kind, name, parentId, attributes, id);
  }

  /** A zero-duration span: a routing decision, a verdict, a budget event. */
  event(kind: SpanKind, name: string, parentId: string | undefined, attributes: Record<string, unknown>): void {
    this.start(kind, name, parentId, attributes).end();
  }

  finish(record: SpanRecord, redactAttributes = true): void {
    if (this.sealed) return;
    if (redactAttributes) record.attributes = redact(record.attributes) as Record<string, unknown>;
    // An error's message is free text (a provider may echo the key it was sent).
    if (record.error) record.error.message = scrubText(record.error.message);
    this.spans.push(record);
    for (let i = 0; i < this.sinks.length; i++) this.sinks[i]!.onSpan(record);
  }

  /** @internal ActiveSpan's: a span has started. */
  opened(span: ActiveSpan): void {
    span.nextOpen = this.open;
    if (this.open) this.open.prevOpen = span;
    this.open = span;
  }

  /** @internal ActiveSpan's: a span has ended. */
  closed(span: ActiveSpan): void {
    const { prevOpen, nextOpen } = span;
    if (prevOpen) prevOpen.nextOpen = nextOpen;
    else if (this.open === span) this.open = nextOpen;
    if (nextOpen) nextOpen.prevOpen = prevOpen;
    span.prevOpen = span.nextOpen = undefined;
  }

  /**
   * Ends every span still in flight except `keep` as abandoned: work its run stopped waiting for
   * (it ignored the cancellation), whose late outcome is ignored.
   */
  abandonOpen(keep?: ActiveSpan): void {
    for (let span = this.open; span; ) {
      const next = span.nextOpen;
      if (span !== keep) span.end({ abandoned: true }, { name: 'Abandoned', message: 'still running when the run stopped; its late outcome is ignored' });
      span = next;
    }
  }

  /** The run is over: spans that end from now on (abandoned work finishing late) are not recorded. */
  seal(): void {
    this.sealed = true;
  }

  get hasSinks(): boolean {
    return this.sinks.length > 0;
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
