/** Collects spans from many runs in one array (for tests and the studio); each run already keeps its own. */
import type { SpanRecord, TraceSink } from '../span.js';

export class MemoryTraceSink implements TraceSink {
  readonly spans: SpanRecord[] = [];
  onSpan(span: SpanRecord): void {
    this.spans.push(span);
  }
  clear(): void {
    this.spans.length = 0;
  }
}
