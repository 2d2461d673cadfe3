import { describe, expect, it } from 'vitest';
import { step } from '../../src/core/step.js';
import { runStep } from '../../src/core/run-step.js';
import { run } from '../../src/core/run.js';
import type { SpanRecord } from '../../src/core/span.js';
import { StoreError } from '../../src/store/errors.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { StoreTraceSink } from '../../src/store/trace-sink.js';
import type { Store } from '../../src/store/types.js';

function spans(traceId: string, count: number): SpanRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    traceId, spanId: String(i + 1), parentId: undefined, kind: 'step' as const, name: `s${i}`, startTime: 1_000 + i, durationMs: 0, status: 'ok' as const, attributes: { i },
  }));
}

/** Counts appendSpans calls and their sizes, so batching is observable. */
function counting(store: Store): { store: Store; batches: number[] } {
  const batches: number[] = [];
  const wrapped = Object.create(store) as Store;
  wrapped.appendSpans = async (s) => {
    batches.push(s.length);
    return store.appendSpans(s);
  };
  return { store: wrapped, batches };
}

describe('StoreTraceSink', () => {
  it('writes full batches in the background and the rest on flush, in order', async () => {
    const store = await SqliteStore.open(':memory:');
    const { store: watched, batches } = counting(store);
    const sink = new StoreTraceSink(watched, { batchSize: 4 });
    for (const s of spans('t', 10)) sink.onSpan(s);
    expect(batches).toEqual([]); // onSpan never writes synchronously
    expect(sink.pending).toBe(2);
    await sink.flush();
    expect(batches).toEqual([4, 4, 2]);
    expect((await store.getTrace('t')).map((s) => s.attributes.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await sink.flush(); // nothing left: no empty write
    expect(batches).toEqual([4, 4, 2]);
    await store.close();
  });

  it('lands a whole run trace in the store when used as a run sink', async () => {
    const store = await SqliteStore.open(':memory:');
    const sink = new StoreTraceSink(store);
    const child = step('child', (n: number) => n + 1);
    const parent = step('parent', async (n: number, ctx) => runStep(ctx, child, await runStep(ctx, child, n)));
    const result = await run(parent, 1, { sinks: [sink], runId: 'run-sink' });
    expect(result.output).toBe(3);
    const stored = await store.getTrace('run-sink');
    expect(stored).toHaveLength(result.trace.length);
    // The same spans, field for field (the store orders by start time, the run's trace by finish time).
    const byId = (list: readonly SpanRecord[]) => Object.fromEntries(list.map((s) => [s.spanId, s]));
    expect(byId(stored)).toEqual(byId(result.trace));
    expect(stored.filter((s) => s.name === 'child')).toHaveLength(2);
    expect(stored.filter((s) => s.kind === 'run')).toHaveLength(1);
    await store.close();
  });

  it('reports a failed write on the next flush, once, as a StoreError', async () => {
    const store = await SqliteStore.open(':memory:');
    await store.close(); // every write now fails
    const sink = new StoreTraceSink(store, { batchSize: 2 });
    for (const s of spans('t', 3)) sink.onSpan(s);
    const err = await sink.flush().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/could not write 3 span\(s\)/);
    await expect(sink.flush()).resolves.toBeUndefined();
  });

  it('hands failures to onError instead, when given', async () => {
    const store = await SqliteStore.open(':memory:');
    await store.close();
    const seen: number[] = [];
    const sink = new StoreTraceSink(store, { batchSize: 2, onError: (_err, lost) => seen.push(lost) });
    for (const s of spans('t', 3)) sink.onSpan(s);
    await sink.close();
    expect(seen).toEqual([2, 1]);
  });

  it('rejects a nonsense batch size', () => {
    expect(() => new StoreTraceSink({} as Store, { batchSize: 0 })).toThrow(/batchSize/);
  });
});
