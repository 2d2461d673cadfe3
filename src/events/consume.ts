/**
 * Pattern 15 — the event-driven agent's consumer loop, made safe to run on
 * many machines at once:
 * - bounded concurrency, and backpressure: it pulls only as many events as it
 *   has free slots, so a fast stream never piles up in memory;
 * - idempotency by event id: the store is checked before deciding, and the
 *   decision is recorded atomically (one row per consumer and event id), so a
 *   duplicate or redelivered event is never decided twice;
 * - at-least-once: an event is acked only after its decision (or its dead
 *   letter) is stored; a crash before that means a redelivery, never a loss;
 * - per-event timeout, retries with exponential backoff, then a dead letter
 *   with the error;
 * - graceful stop: stop pulling, finish what is in flight, ack, resolve.
 * Every attempt is a run (`run()`), with its own budget and trace.
 */
import type { BudgetLimits } from '../core/budget.js';
import type { RunContext } from '../core/context.js';
import { ConfigError, TimeoutError, errorMessage } from '../core/errors.js';
import { defaultLogger, type Logger } from '../core/logger.js';
import type { Step } from '../core/step.js';
import { run, type RunOptions } from '../core/run.js';
import type { Store } from '../store/types.js';
import type { Delivery, EventSource } from './source.js';

/** What consume() needs from a store: the decision and dead-letter records (any full Store has them). */
export type EventStore = Pick<Store, 'getDecision' | 'recordDecision' | 'putDeadLetter'>;

/** A Step, or a plain function of the payload, that turns one event into a decision. */
export type EventHandler<T, D> = Step<T, D> | ((payload: T, ctx: RunContext) => D | Promise<D>);

/** A decision as it is stored and published. */
export interface EventDecision<D> {
  consumer: string;
  eventId: string;
  decision: D;
  runId: string;
  attempts: number;
}

export interface BackoffOptions {
  /** Delay before the first retry (default 200 ms). */
  initialMs?: number;
  /** Cap on one delay (default 10 s). */
  maxMs?: number;
  /** Growth per retry (default 2). */
  factor?: number;
}

export interface ConsumeOptions<D> {
  /** The logical consumer: the idempotency scope shared by every worker of it (e.g. "fraud-events"). */
  consumer: string;
  /** Where decisions and dead letters go (SQLite on one machine, PostgreSQL for many). */
  store: EventStore;
  /** Events handled at once (default 8). */
  concurrency?: number;
  /** Time limit of one attempt at one event (default 60 s). */
  timeoutMs?: number;
  /** Retries after the first attempt before the event is dead-lettered (default 3). */
  retries?: number;
  backoff?: BackoffOptions;
  /** Whether an error is worth another attempt (default: all but ConfigError and zod validation errors). */
  retryable?: (err: unknown) => boolean;
  /** Budget of each event's run. */
  budget?: BudgetLimits;
  /** Trace sinks, logger and metadata given to each event's run. */
  runOptions?: Pick<RunOptions, 'sinks' | 'logger' | 'metadata' | 'approvals'>;
  /** Called once per newly stored decision (an output stream, a webhook, an in-memory list). */
  publish?: (decision: EventDecision<D>) => void | Promise<void>;
  /** Aborting it is the same as calling stop(). */
  signal?: AbortSignal;
  logger?: Logger;
}

export interface ConsumeStats {
  /** Deliveries pulled from the source (redeliveries included). */
  received: number;
  /** Decisions newly stored by this consumer. */
  decided: number;
  /** Deliveries acked without a new decision: duplicates, redeliveries, and lost races with another worker. */
  duplicates: number;
  deadLettered: number;
  /** Deliveries handed back to the source (nack): store unavailable, or stopped during a retry wait. */
  returned: number;
  /** Publishes that failed (the decision is stored all the same). */
  publishErrors: number;
  inFlight: number;
}

export interface Consumer {
  /** Resolves when the source has ended and everything is handled, or after stop(). */
  readonly done: Promise<ConsumeStats>;
  /** Stop pulling, finish and ack what is in flight, then resolve. */
  stop(): Promise<ConsumeStats>;
  readonly stats: Readonly<ConsumeStats>;
}

export function consume<T, D>(source: EventSource<T>, handler: EventHandler<T, D>, options: ConsumeOptions<D>): Consumer {
  if (!options.consumer) throw new ConfigError('consume.consumer', 'is required (the idempotency scope of decisions)');
  if (!options.store) throw new ConfigError('consume.store', 'is required (decisions must be stored before an event is acked)');
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError('consume.concurrency', 'must be an integer >= 1');
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!(timeoutMs > 0)) throw new ConfigError('consume.timeoutMs', 'must be > 0');
  const retries = options.retries ?? 3;
  if (!Number.isInteger(retries) || retries < 0) throw new ConfigError('consume.retries', 'must be an integer >= 0');

  const { consumer, store } = options;
  const rootStep: Step<T, D> = typeof handler === 'function' ? { name: consumer, run: async (p, ctx) => handler(p, ctx) } : handler;
  const retryable = options.retryable ?? defaultRetryable;
  const backoff = backoffFn(options.backoff);
  const fullStore = isFullStore(store) ? store : undefined;
  let log: Logger | undefined;
  const logger = () => (log ??= (options.logger ?? defaultLogger()).child({ consumer, source: source.name }));

  const stats: ConsumeStats = { received: 0, decided: 0, duplicates: 0, deadLettered: 0, returned: 0, publishErrors: 0, inFlight: 0 };
  const stopCtl = new AbortController();
  /** Events of this process in flight, by id: a second copy waits for the first instead of deciding in parallel. */
  const inFlightIds = new Map<string, Promise<void>>();
  let slotWaiter: (() => void) | undefined;

  const start = (d: Delivery<T>) => {
    stats.received++;
    stats.inFlight++;
    const prior = inFlightIds.get(d.id);
    const p = (prior ? prior.then(() => handle(d)) : handle(d))
      .catch((err: unknown) => logger().error({ eventId: d.id, err: errorMessage(err) }, 'unexpected error handling an event; left unacked'))
      .finally(() => {
        if (inFlightIds.get(d.id) === p) inFlightIds.delete(d.id);
        stats.inFlight--;
        const w = slotWaiter;
        slotWaiter = undefined;
        w?.();
      });
    inFlightIds.set(d.id, p);
  };

  async function handle(d: Delivery<T>): Promise<void> {
    try {
      if (await store.getDecision(consumer, d.id)) {
        stats.duplicates++;
        await ack(d);
        return;
      }
    } catch (err) {
      return giveBack(d, err, 'reading the store failed');
    }

    let attempt = 0;
    let result: { output: D; runId: string } | undefined;
    for (;;) {
      attempt++;
      try {
        result = await attemptOnce(d, attempt);
        break;
      } catch (err) {
        if (attempt > retries || !retryable(err)) return deadLetter(d, err, attempt);
        logger().warn({ eventId: d.id, attempt, err: errorMessage(err) }, 'event attempt failed; retrying');
        // Stopping: hand the event back rather than hold shutdown for a backoff.
        if (!(await sleepUnlessStopped(backoff(attempt), stopCtl.signal))) return giveBack(d, err, 'stopped during a retry wait');
      }
    }

    let stored: boolean;
    try {
      stored = await store.recordDecision(consumer, d.id, result.output);
    } catch (err) {
      return giveBack(d, err, 'storing the decision failed');
    }
    if (!stored) {
      // Another worker decided the same event first: its decision stands, ours is dropped.
      stats.duplicates++;
      await ack(d);
      return;
    }
    stats.decided++;
    if (options.publish) {
      try {
        await options.publish({ consumer, eventId: d.id, decision: result.output, runId: result.runId, attempts: attempt });
      } catch (err) {
        stats.publishErrors++;
        logger().error({ eventId: d.id, err: errorMessage(err) }, 'publishing a stored decision failed');
      }
    }
    await ack(d);
  }

  // The run's own wall-time cap aborts the handler's work at the timeout (no extra signal per event:
  // a second signal would make run() combine them with AbortSignal.any, which is costly per event).
  const budget = { ...options.budget, maxWallMs: Math.min(options.budget?.maxWallMs ?? Infinity, timeoutMs) };

  async function attemptOnce(d: Delivery<T>, attempt: number): Promise<{ output: D; runId: string }> {
    let onTimeout!: (err: Error) => void;
    const timedOut = new Promise<never>((_, reject) => (onTimeout = reject));
    // Armed before run() arms its cap, so at the deadline this TimeoutError is what the attempt fails with.
    const timer = setTimeout(() => onTimeout(new TimeoutError(`event ${d.id}`, timeoutMs)), timeoutMs);
    const running = run(rootStep, d.payload, {
      ...(options.logger ? { logger: options.logger } : {}),
      ...options.runOptions,
      requestId: d.id,
      budget,
      ...(fullStore ? { store: fullStore } : {}),
      metadata: { ...options.runOptions?.metadata, event: { id: d.id, source: source.name, attempt, deliveries: d.deliveries } },
    });
    // A handler that ignores its signal must not hold the slot past the timeout.
    running.catch(() => {});
    try {
      const r = await Promise.race([running, timedOut]);
      return { output: r.output, runId: r.runId };
    } finally {
      clearTimeout(timer);
    }
  }

  async function deadLetter(d: Delivery<T>, err: unknown, attempts: number): Promise<void> {
    try {
      await store.putDeadLetter({ consumer, eventId: d.id, payload: d.payload, error: errorMessage(err), attempts, at: Date.now() });
    } catch (storeErr) {
      return giveBack(d, storeErr, 'storing the dead letter failed');
    }
    stats.deadLettered++;
    logger().error({ eventId: d.id, attempts, err: errorMessage(err) }, 'event dead-lettered');
    await ack(d);
  }

  async function giveBack(d: Delivery<T>, err: unknown, why: string): Promise<void> {
    stats.returned++;
    logger().error({ eventId: d.id, err: errorMessage(err) }, `${why}; event handed back for redelivery`);
    // A short pause, so a store outage does not turn into a hot redelivery loop.
    await sleepUnlessStopped(backoff(1), stopCtl.signal);
    try {
      await source.nack(d);
    } catch (nackErr) {
      logger().error({ eventId: d.id, err: errorMessage(nackErr) }, 'nack failed; the source redelivers after its own timeout');
    }
  }

  async function ack(d: Delivery<T>): Promise<void> {
    try {
      await source.ack(d);
    } catch (err) {
      // The decision is stored: a redelivery is recognised as a duplicate.
      logger().error({ eventId: d.id, err: errorMessage(err) }, 'ack failed; a redelivery will be skipped as a duplicate');
    }
  }

  const waitForSlot = () => new Promise<void>((resolve) => (slotWaiter = resolve));

  async function loop(): Promise<ConsumeStats> {
    let pullFailures = 0;
    while (!stopCtl.signal.aborted) {
      const free = concurrency - stats.inFlight;
      if (free <= 0) {
        await waitForSlot();
        continue;
      }
      let batch: Delivery<T>[] | null;
      try {
        batch = await source.pull(free, stopCtl.signal);
        pullFailures = 0;
      } catch (err) {
        pullFailures++;
        logger().error({ err: errorMessage(err) }, 'pulling events failed; retrying');
        await sleepUnlessStopped(backoff(pullFailures), stopCtl.signal);
        continue;
      }
      if (batch === null) break;
      // Events a blocking read brought after stop() are ours already: handle them too.
      for (const d of batch) start(d);
    }
    while (stats.inFlight > 0) await waitForSlot();
    return { ...stats };
  }

  const done = loop();
  const stop = () => {
    stopCtl.abort();
    return done;
  };
  if (options.signal) {
    if (options.signal.aborted) stopCtl.abort();
    else options.signal.addEventListener('abort', () => stopCtl.abort(), { once: true });
  }
  return { done, stop, stats };
}

function defaultRetryable(err: unknown): boolean {
  if (err instanceof ConfigError) return false;
  return !(err instanceof Error && err.name === 'ZodError');
}

function backoffFn(o: BackoffOptions = {}): (attempt: number) => number {
  const initial = o.initialMs ?? 200;
  const max = o.maxMs ?? 10_000;
  const factor = o.factor ?? 2;
  // Jittered so that workers retrying the same outage do not retry in step.
  return (attempt) => Math.min(max, initial * factor ** (attempt - 1)) * (0.5 + Math.random() * 0.5);
}

function sleepUnlessStopped(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function isFullStore(s: EventStore): s is Store {
  return typeof (s as Partial<Store>).putRun === 'function';
}
