/**
 * A TraceSink that lands spans in the Store, so `runs show` and the studio
 * can read a run's trace from any process. onSpan only appends to a buffer
 * (nothing on the hot path touches the database); full batches are written
 * in the background, one write at a time, in order; flush() writes the rest
 * and waits for everything before it.
 */
import type { SpanRecord, TraceSink } from '../core/span.js';
import { ConfigError } from '../core/errors.js';
import { StoreError } from './errors.js';
import type { Store } from './types.js';

export interface StoreTraceSinkOptions {
  /** Spans per background write. Default 64. */
  batchSize?: number;
  /**
   * Told about a failed write (those spans are dropped, the run goes on).
   * Without it, the next flush() rejects with a StoreError carrying the failure.
   */
  onError?: (err: unknown, lost: number) => void;
}

export class StoreTraceSink implements TraceSink {
  private buffer: SpanRecord[] = [];
  private writing: Promise<void> = Promise.resolve();
  private failure: { err: unknown; lost: number } | undefined;
  private readonly batchSize: number;

  constructor(
    private readonly store: Store,
    private readonly options: StoreTraceSinkOptions = {},
  ) {
    const size = options.batchSize ?? 64;
    if (!Number.isInteger(size) || size < 1) throw new ConfigError('batchSize', `must be a positive integer, got ${size}`);
    this.batchSize = size;
  }

  onSpan(span: SpanRecord): void {
    this.buffer.push(span);
    if (this.buffer.length >= this.batchSize) this.drain();
  }

  /** Spans accepted but not yet written. */
  get pending(): number {
    return this.buffer.length;
  }

  private drain(): void {
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(() =>
      this.store.appendSpans(batch).catch((err: unknown) => {
        if (this.options.onError) this.options.onError(err, batch.length);
        else if (this.failure) this.failure.lost += batch.length;
        else this.failure = { err, lost: batch.length };
      }),
    );
  }

  async flush(): Promise<void> {
    if (this.buffer.length > 0) this.drain();
    await this.writing;
    const failure = this.failure;
    if (failure) {
      this.failure = undefined;
      const why = failure.err instanceof Error ? failure.err.message : String(failure.err);
      throw new StoreError(`could not write ${failure.lost} span(s) to the ${this.store.kind} store: ${why}`, { cause: failure.err });
    }
  }

  /** Writes what is left; the store itself stays open (its owner closes it). */
  close(): Promise<void> {
    return this.flush();
  }
}
