/** The structured record of one action in a run: a model call, a tool call, a decision, a step. */

export type SpanKind = 'run' | 'step' | 'model' | 'tool' | 'decision' | 'approval' | 'budget' | 'event';

export interface SpanRecord {
  /** The run id: every span of one run shares it. */
  traceId: string;
  spanId: string;
  parentId: string | undefined;
  kind: SpanKind;
  name: string;
  /** Epoch milliseconds. */
  startTime: number;
  durationMs: number;
  status: 'ok' | 'error';
  attributes: Record<string, unknown>;
  error?: { name: string; code?: string; message: string };
}

/** Where finished spans go besides the run's own in-memory trace (JSONL file, store, OpenTelemetry). */
export interface TraceSink {
  onSpan(span: SpanRecord): void;
  flush?(): Promise<void>;
  close?(): Promise<void>;
}
