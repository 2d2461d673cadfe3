import { describe, expect, it } from 'vitest';
import { consume, type EventDecision } from '../../src/events/consume.js';
import { memorySource } from '../../src/events/memory.js';
import { SourceUnavailable, type Delivery } from '../../src/events/source.js';
import { MemoryTraceSink } from '../../src/core/sinks/memory.js';
import { step } from '../../src/core/step.js';
import { FakeEventStore } from './fake-store.js';
import { createLogger } from '../../src/core/logger.js';

const logger = createLogger({ level: 'silent' });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
const tick = () => new Promise((r) => setTimeout(r, 5));
async function until(cond: () => boolean) {
  while (!cond()) await tick();
}
const quiet = { backoff: { initialMs: 1, maxMs: 2 } };

describe('consume()', () => {
  it('never runs more handlers at once than its concurrency, and decides every event', async () => {
    const src = memorySource<number>();
    for (let i = 0; i < 30; i++) src.push(`e${i}`, i);
    src.end();
    let active = 0;
    let peak = 0;
    const store = new FakeEventStore();
    const stats = await consume(src, async (n: number) => {
      active++;
      peak = Math.max(peak, active);
      await tick();
      active--;
      return { n };
    }, { consumer: 'c', logger, store, concurrency: 3 }).done;
    expect(peak).toBe(3);
    expect(stats.decided).toBe(30);
    expect(store.decisions.size).toBe(30);
    expect(src.acked).toBe(30);
    expect(src.unacked).toBe(0);
  });

  it('pulls only as many events as it has free slots (backpressure)', async () => {
    const src = memorySource<number>();
    for (let i = 0; i < 20; i++) src.push(`e${i}`, i);
    const asked: number[] = [];
    const pull = src.pull.bind(src);
    src.pull = (max, signal) => {
      asked.push(max);
      return pull(max, signal);
    };
    const gate = deferred();
    const c = consume(src, async () => {
      await gate.promise;
      return 'ok';
    }, { consumer: 'c', logger, store: new FakeEventStore(), concurrency: 2 });
    await until(() => c.stats.inFlight === 2);
    await tick();
    expect(src.queued).toBe(18);
    expect(asked).toEqual([2]);
    gate.resolve();
    src.end();
    const stats = await c.done;
    expect(stats.decided).toBe(20);
    expect(Math.max(...asked)).toBeLessThanOrEqual(2);
  });

  it('retries a failing event with backoff, then dead-letters it with the error and acks it', async () => {
    const src = memorySource<string>();
    src.push('bad', 'x');
    src.push('flaky', 'y');
    src.end();
    const calls = new Map<string, number>();
    const store = new FakeEventStore();
    const stats = await consume(src, async (p: string, ctx) => {
      const id = (ctx.metadata.event as { id: string }).id;
      const n = (calls.get(id) ?? 0) + 1;
      calls.set(id, n);
      if (p === 'x') throw new Error('enrichment service down');
      if (n < 3) throw new Error('transient');
      return 'allow';
    }, { consumer: 'c', logger, store, retries: 2, ...quiet }).done;
    expect(calls.get('bad')).toBe(3);
    expect(calls.get('flaky')).toBe(3);
    expect(stats.deadLettered).toBe(1);
    expect(stats.decided).toBe(1);
    expect(store.deadLetters).toHaveLength(1);
    expect(store.deadLetters[0]).toMatchObject({ consumer: 'c', eventId: 'bad', payload: 'x', attempts: 3, error: 'enrichment service down' });
    expect(store.decisions.has('c\u0000bad')).toBe(false);
    expect(src.acked).toBe(2);
  });

  it('treats a handler past its timeout as a failed attempt', async () => {
    const src = memorySource<string>();
    src.push('slow', 'x');
    src.end();
    const store = new FakeEventStore();
    const stats = await consume(src, () => new Promise<string>(() => {}), { consumer: 'c', logger, store, retries: 0, timeoutMs: 20 }).done;
    expect(stats.deadLettered).toBe(1);
    expect(store.deadLetters[0]!.error).toMatch(/timed out after 20 ms/);
  });

  it('decides each event id once: duplicates in a batch, later duplicates and already-decided ids are acked without a decision', async () => {
    const src = memorySource<string>();
    const store = new FakeEventStore();
    await store.recordDecision('c', 'old', 'block');
    for (const id of ['a', 'b', 'a', 'c', 'a', 'old']) src.push(id, id);
    const seen: string[] = [];
    const published: EventDecision<string>[] = [];
    const c = consume(src, async (p: string) => {
      seen.push(p);
      await tick();
      return `decided ${p}`;
    }, { consumer: 'c', logger, store, concurrency: 8, publish: (d) => void published.push(d) });
    await until(() => src.acked === 6);
    src.push('b', 'b');
    src.end();
    const stats = await c.done;
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    expect(stats).toMatchObject({ received: 7, decided: 3, duplicates: 4 });
    expect(published.map((d) => d.eventId).sort()).toEqual(['a', 'b', 'c']);
    expect(store.decisions.get('c\u0000old')!.decision).toBe('block');
    expect(src.acked).toBe(7);
  });

  it('when two workers race on one event, only the first decision is stored and published; the loser acks', async () => {
    const store = new FakeEventStore();
    const gate = deferred();
    let started = 0;
    const handler = async (p: string) => {
      started++;
      await gate.promise;
      return `${p} by worker ${started}`;
    };
    const published: EventDecision<string>[] = [];
    const srcs = [memorySource<string>(), memorySource<string>()];
    const consumers = srcs.map((s) => {
      s.push('e1', 'e1');
      s.end();
      return consume(s, handler, { consumer: 'c', logger, store, publish: (d) => void published.push(d) });
    });
    await until(() => started === 2);
    gate.resolve();
    const [a, b] = await Promise.all(consumers.map((c) => c.done));
    expect(store.recordCalls).toBe(2);
    expect(store.decisions.size).toBe(1);
    expect(a!.decided + b!.decided).toBe(1);
    expect(a!.duplicates + b!.duplicates).toBe(1);
    expect(published).toHaveLength(1);
    expect(srcs[0]!.acked + srcs[1]!.acked).toBe(2);
  });

  it('stop() stops pulling, lets in-flight events finish and acks them before it resolves', async () => {
    const src = memorySource<number>();
    for (let i = 0; i < 10; i++) src.push(`e${i}`, i);
    const gate = deferred();
    const store = new FakeEventStore();
    const c = consume(src, async (n: number) => {
      await gate.promise;
      return n;
    }, { consumer: 'c', logger, store, concurrency: 3 });
    await until(() => c.stats.inFlight === 3);
    let stopped = false;
    const stopping = c.stop().then((s) => {
      stopped = true;
      return s;
    });
    await tick();
    expect(stopped).toBe(false);
    gate.resolve();
    const stats = await stopping;
    expect(stats).toMatchObject({ received: 3, decided: 3, inFlight: 0 });
    expect(store.decisions.size).toBe(3);
    expect(src.acked).toBe(3);
    expect(src.unacked).toBe(0);
    expect(src.queued).toBe(7);
  });

  it('hands an event back (nack) when the store cannot be read, and decides it on redelivery', async () => {
    const src = memorySource<string>();
    src.push('e1', 'x');
    src.end();
    const store = new FakeEventStore();
    store.failReads = 1;
    const deliveries: (number | undefined)[] = [];
    const stats = await consume(src, async (_p: string, ctx) => {
      deliveries.push((ctx.metadata.event as Pick<Delivery, 'deliveries'>).deliveries);
      return 'allow';
    }, { consumer: 'c', logger, store, ...quiet }).done;
    expect(stats).toMatchObject({ returned: 1, decided: 1, received: 2 });
    expect(deliveries).toEqual([2]);
  });

  it('acks an event only after its decision is stored; a failed store write hands it back unacked', async () => {
    const src = memorySource<string>();
    src.push('e1', 'x');
    src.end();
    const store = new FakeEventStore();
    store.failWrites = 1;
    const ack = src.ack.bind(src);
    const nack = src.nack.bind(src);
    src.ack = (d) => (store.log.push(`ack ${d.id}`), ack(d));
    src.nack = (d) => (store.log.push(`nack ${d.id}`), nack(d));
    const stats = await consume(src, async () => 'allow', { consumer: 'c', logger, store, ...quiet }).done;
    expect(store.log).toEqual(['record failed e1', 'nack e1', 'stored e1', 'ack e1']);
    expect(stats).toMatchObject({ returned: 1, decided: 1, received: 2 });
    expect(src.acked).toBe(1);
  });

  it('runs each event as a traced run whose request id is the event id', async () => {
    const src = memorySource<string>();
    src.push('e1', 'x');
    src.push('e2', 'y');
    src.end();
    const sink = new MemoryTraceSink();
    await consume(src, step('decide', (p: string) => p.toUpperCase()), { consumer: 'c', logger, store: new FakeEventStore(), runOptions: { sinks: [sink] } }).done;
    const roots = sink.spans.filter((s) => s.kind === 'run');
    expect(roots.map((s) => s.attributes.requestId).sort()).toEqual(['e1', 'e2']);
    expect(roots.every((s) => s.name === 'decide' && s.status === 'ok')).toBe(true);
  });

  it('keeps a decision whose publish failed in the outbox and publishes it from there, once', async () => {
    const src = memorySource<string>();
    src.push('e1', 'x');
    src.push('e2', 'y');
    const store = new FakeEventStore();
    const published: string[] = [];
    let failNext = true;
    const c = consume(src, async (p: string) => `decided ${p}`, {
      consumer: 'c', logger, store, concurrency: 1, outboxIntervalMs: 30,
      publish: (d) => {
        if (failNext) {
          failNext = false;
          throw new Error('output stream down');
        }
        published.push(d.eventId);
      },
    });
    await until(() => published.length === 2);
    await new Promise((r) => setTimeout(r, 100)); // a few more drains: nothing is published twice
    src.end();
    const stats = await c.done;
    expect(published.sort()).toEqual(['e1', 'e2']);
    expect(stats).toMatchObject({ decided: 2, publishErrors: 1, republished: 1 });
    expect(await store.listUnpublished('c')).toEqual([]);
  });

  it('ends with SourceUnavailable (after finishing what is in flight) when the source is gone for good', async () => {
    const src = memorySource<string>();
    src.push('e1', 'x');
    const pull = src.pull.bind(src);
    let pulls = 0;
    src.pull = (max, signal) => (++pulls === 1 ? pull(max, signal) : Promise.reject(new SourceUnavailable('redis gone')));
    const store = new FakeEventStore();
    const c = consume(src, async () => {
      await tick();
      return 'allow';
    }, { consumer: 'c', logger, store });
    await expect(c.done).rejects.toThrow('redis gone');
    expect(store.decisions.size).toBe(1);
    expect(src.acked).toBe(1);
  });
});
