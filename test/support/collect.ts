import type { StreamEvent } from '../../src/core/model.js';

/** Every event of a model stream, in order. */
export async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
