/**
 * The buffer between a run and whoever reads its stream. It holds at most
 * `highWater` events: past that, `push` returns a promise that settles once
 * the reader has caught up, and producers that can wait (a provider's token
 * stream, a step starting) wait — so a slow reader slows the model down
 * instead of growing memory. Events that cannot wait (trace events) are
 * still kept. A reader that stops early (`return()`) calls `onCancel`.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private head = 0;
  private closed = false;
  private reader: ((result: IteratorResult<T>) => void) | undefined;
  private waiting: (() => void)[] = [];

  constructor(
    private readonly highWater: number,
    private readonly onCancel: () => void,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Adds an event; a promise when the buffer is full (settles when there is room, or the stream ends). */
  push(item: T): Promise<void> | undefined {
    if (this.closed) return undefined;
    const reader = this.reader;
    if (reader) {
      this.reader = undefined;
      reader({ value: item, done: false });
      return undefined;
    }
    this.items.push(item);
    if (this.size < this.highWater) return undefined;
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** No more events: the reader gets what is buffered, then the end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    const reader = this.reader;
    this.reader = undefined;
    reader?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const value = this.items[this.head]!;
      this.items[this.head++] = undefined as T;
      // Compact once the consumed prefix dominates, so a long stream holds no dead slots.
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      if (this.size <= this.highWater / 2) this.release();
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.reader = resolve));
  }

  /** The reader stopped (`break`): the run is cancelled and nothing more is kept. */
  return(): Promise<IteratorResult<T>> {
    if (!this.closed) this.onCancel();
    this.closed = true;
    this.items.length = 0;
    this.head = 0;
    this.release();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private release(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
