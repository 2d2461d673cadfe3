/** Appends every finished span as one JSON line to a file (buffered, flushed on demand and on close). */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { SpanRecord, TraceSink } from '../span.js';

export class JsonlTraceSink implements TraceSink {
  private readonly out: WriteStream;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { flags: 'a' });
  }

  onSpan(span: SpanRecord): void {
    this.out.write(JSON.stringify(span) + '\n');
  }

  flush(): Promise<void> {
    return new Promise((resolve) => {
      if (this.out.writableNeedDrain) this.out.once('drain', () => resolve());
      else this.out.write('', () => resolve());
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
