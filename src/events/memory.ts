/**
 * An in-process queue as an EventSource: for tests, the demo, the bench and
 * embedding. Nothing survives the process; use Redis Streams for that.
 * Unacked deliveries are tracked, and a nack puts the event back in front.
 */
import type { Delivery, EventSource } from './source.js';

export interface MemorySource<T> extends EventSource<T> {
  /** Adds an event (after end(), throws). */
  push(id: string, payload: T): void;
  /** No more events: pull() returns null once the queue is drained and nothing is unacked. */
  end(): void;
  /** Events waiting to be pulled. */
  readonly queued: number;
  /** Deliveries pulled and not yet acked or nacked. */
  readonly unacked: number;
  /** Deliveries acked so far. */
  readonly acked: number;
  /** Events not done with (queued or unacked): in memory only, so lost if the process ends. */
  remaining(): Promise<number>;
}

interface MemoryDelivery<T> extends Delivery<T> {
  deliveries: number;
}

export function memorySource<T = unknown>(options: { name?: string } = {}): MemorySource<T> {
  const queue: MemoryDelivery<T>[] = [];
  let head = 0;
  const unacked = new Set<MemoryDelivery<T>>();
  let acked = 0;
  let ended = false;
  // Pullers waiting for an event (several consumers may share one queue).
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };

  return {
    name: options.name ?? 'memory',
    push(id, payload) {
      if (ended) throw new Error('memorySource: push() after end()');
      queue.push({ id, payload, deliveries: 1 });
      notify();
    },
    end() {
      ended = true;
      notify();
    },
    get queued() {
      return queue.length - head;
    },
    get unacked() {
      return unacked.size;
    },
    get acked() {
      return acked;
    },
    remaining: async () => queue.length - head + unacked.size,
    async pull(max, signal) {
      for (;;) {
        if (head < queue.length) {
          const n = Math.min(max, queue.length - head);
          const out = queue.slice(head, head + n);
          head += n;
          // Compact now and then so a long-lived queue does not grow forever.
          if (head > 1024 && head * 2 > queue.length) {
            queue.splice(0, head);
            head = 0;
          }
          for (const d of out) unacked.add(d);
          return out;
        }
        // Ended and nothing can come back through a nack any more.
        if (ended && unacked.size === 0) return null;
        if (signal.aborted) return [];
        await new Promise<void>((resolve) => {
          const done = () => {
            waiters.delete(done);
            signal.removeEventListener('abort', done);
            resolve();
          };
          signal.addEventListener('abort', done, { once: true });
          waiters.add(done);
        });
      }
    },
    async ack(d) {
      if (unacked.delete(d as MemoryDelivery<T>)) acked++;
      if (ended && unacked.size === 0) notify();
    },
    async nack(d) {
      const md = d as MemoryDelivery<T>;
      if (!unacked.delete(md)) return;
      // Back in front, counted as a new delivery.
      if (head > 0) queue[--head] = { id: md.id, payload: md.payload, deliveries: md.deliveries + 1 };
      else queue.unshift({ id: md.id, payload: md.payload, deliveries: md.deliveries + 1 });
      notify();
    },
  };
}
