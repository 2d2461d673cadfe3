import { AgentPatternsError } from '../core/errors.js';

/**
 * Where events come from. A source hands out deliveries in batches and is
 * told, per delivery, when it is done (ack) or must come back later (nack).
 * `consume()` only ever asks for as many as it has free slots, so a source
 * never buffers work the consumer cannot start (backpressure).
 */

/** One delivery of one event. The same event may be delivered more than once (at-least-once). */
export interface Delivery<T = unknown> {
  /** The producer's event id: the idempotency key, identical on every redelivery and duplicate. */
  readonly id: string;
  readonly payload: T;
  /** How many times this event has been delivered, when the transport knows (1 = first). */
  readonly deliveries?: number;
}

export interface EventSource<T = unknown> {
  /** Shown in traces and logs: "memory", "webhook", "redis:<stream>". */
  readonly name: string;
  /**
   * Up to `max` deliveries. Waits until at least one is available; returns []
   * when `signal` fires (a source that cannot interrupt a blocking read may
   * return what that read brought) and `null` once the source has ended.
   */
  pull(max: number, signal: AbortSignal): Promise<Delivery<T>[] | null>;
  /** The event is done with (decided, duplicate or dead-lettered): never deliver it again. */
  ack(delivery: Delivery<T>): Promise<void>;
  /** The event was not handled: deliver it again later. */
  nack(delivery: Delivery<T>): Promise<void>;
  /**
   * Take no new events in (a webhook answers 503 with Retry-After); what was accepted stays durable for the
   * next worker. consume() calls it when it stops.
   */
  stopAccepting?(): void;
  /** Accepted events not yet done with (for the stats line at shutdown), when the source can tell. */
  remaining?(): Promise<number>;
  /** Releases connections and servers. */
  close?(): Promise<void>;
}

/**
 * The source is gone for good (e.g. Redis unreachable for longer than allowed): pull() throws it, and
 * consume() finishes what is in flight and rejects with it instead of retrying forever.
 */
export class SourceUnavailable extends AgentPatternsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SOURCE_UNAVAILABLE', message, options);
  }
}
