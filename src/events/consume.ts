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
 * - every stored decision is published at least once: with a publisher it is
 *   stored in the outbox (unpublished) and marked once published; the outbox is
 *   drained at start and periodically, so a crash between storing and
 *   publishing, or a failed publish, is made good;
 * - graceful stop: the source stops accepting, pulling stops, what is in flight
 *   is finished and acked, then it resolves;
 * - a source that is gone for good (SourceUnavailable) ends the consumer: in-flight
 *   events are finished, then `done` rejects with that error.
 * Every attempt is a run (`run()`), with its own budget and trace.
 */
import type { BudgetLimits } from '../core/budget.js';
import type { RunContext } from '../core/context.js';
import { ConfigError, RunFailed, RunSuspended, TimeoutError, errorMessage, isAgentPatternsError } from '../core/errors.js';
import { defaultLogger, type Logger } from '../core/logger.js';
import type { Step } from '../core/step.js';
import { run, type RunOptions } from '../core/run.js';
import type { Store } from '../store/types.js';
import { SourceUnavailable, type Delivery, type EventSource } from './source.js';

/** What consume() needs from a store: the decision, outbox and dead-letter records (any full Store has them). */
export type EventStore = Pick<Store, 'getDecision' | 'recordDecision' | 'putDeadLetter' | 'listUnpublished' | 'markPublished'>;

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
  /**
   * Called for each stored decision, at least once: right after it is stored, and again from the outbox if
   * that failed or the process died in between (an output stream, a webhook, an in-memory list).
   */
  publish?: (decision: EventDecision<D>) => void | Promise<void>;
  /** How often the outbox is drained of decisions stored but not published (default 5 s; also once at start). */
  outboxIntervalMs?: number;
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
  /** Publishes that failed (the decision is stored all the same, and stays in the outbox). */
  publishErrors: number;
  /** Decisions published from the outbox: stored earlier (by any worker of this consumer) but not published then. */
  republished: number;
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

  const stats: ConsumeStats = { received: 0, decided: 0, duplicates: 0, deadLettered: 0, returned: 0, publishErrors: 0, republished: 0, inFlight: 0 };
  const outboxIntervalMs = options.outboxIntervalMs ?? 5000;
  if (!(outboxIntervalMs > 0)) throw new ConfigError('consume.outboxIntervalMs', 'must be > 0');
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
    const meta = { runId: result.runId, attempts: attempt, publish: options.publish !== undefined };
    try {
      stored = await store.recordDecision(consumer, d.id, result.output, meta);
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
    await publishStored({ consumer, eventId: d.id, decision: result.output, runId: result.runId, attempts: attempt });
    await ack(d);
  }

  /** Decisions being published right now by this process: a drain leaves them alone. */
  const publishing = new Set<string>();

  /** Publishes a stored decision and takes it out of the outbox; on failure it stays there for the next drain. */
  async function publishStored(decision: EventDecision<D>): Promise<boolean> {
    if (!options.publish || publishing.has(decision.eventId)) return false;
    publishing.add(decision.eventId);
    try {
      await options.publish(decision);
    } catch (err) {
      stats.publishErrors++;
      logger().error({ eventId: decision.eventId, err: errorMessage(err) }, 'publishing a stored decision failed; it stays in the outbox');
      return false;
    } finally {
      publishing.delete(decision.eventId);
    }
    try {
      await store.markPublished(consumer, decision.eventId);
    } catch (err) {
      // Published, not marked: the next drain publishes it again (at least once).
      logger().error({ eventId: decision.eventId, err: errorMessage(err) }, 'marking a decision published failed');
    }
    return true;
  }

  /**
   * Publishes what the outbox holds: decisions stored before `decidedBefore` and never published (a crash
   * between storing and publishing, a failed publish). Decisions this process is publishing are left to it.
   */
  async function drainOutbox(decidedBefore: number): Promise<void> {
    for (;;) {
      let batch;
      try {
        batch = await store.listUnpublished(consumer, { limit: 100, decidedBefore });
      } catch (err) {
        logger().error({ err: errorMessage(err) }, 'reading the outbox failed; retrying at the next drain');
        return;
      }
      let progressed = false;
      for (const r of batch) {
        const ok = await publishStored({ consumer, eventId: r.eventId, decision: r.decision as D, runId: r.runId ?? '', attempts: r.attempts ?? 0 });
        if (ok) {
          stats.republished++;
          progressed = true;
        }
      }
      if (batch.length < 100 || !progressed) return;
    }
  }

  async function outboxLoop(): Promise<void> {
    if (!options.publish) return;
    // At start: everything stored before this worker began (its own earlier incarnation's leftovers included).
    await drainOutbox(Date.now());
    while (await sleepUnlessStopped(outboxIntervalMs, stopCtl.signal)) {
      // Periodically: only what has waited a whole interval, so a live worker's own publish is not raced.
      await drainOutbox(Date.now() - outboxIntervalMs);
    }
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
      // A handler's run has no one to resume it: waiting for a human fails the attempt, as it always did.
      if (r.status === 'suspended') throw new RunSuspended(r.pending);
      return { output: r.output, runId: r.runId };
    } catch (err) {
      // The handler's own error, not run()'s wrapper: the retry policy and the dead letter judge what happened.
      throw isAgentPatternsError(err, RunFailed) ? err.cause : err;
    } finally {
      clearTimeout(timer);
    }
  }

  async function deadLetter(d: Delivery<T>, err: unknown, attempts: number): Promise<void> {
    try {
      await store.putDeadLetter({ consumer, eventId: d.id, payload: d.payload, error: deadLetterReason(err), attempts, at: Date.now() });
    } catch (storeErr) {
      return giveBack(d, storeErr, 'storing the dead letter failed');
    }
    stats.deadLettered++;
    logger().error({ eventId: d.id, attempts, err: deadLetterReason(err) }, 'event dead-lettered');
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
    let failure: unknown;
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
        if (err instanceof SourceUnavailable) {
          failure = err;
          break;
        }
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
    stopCtl.abort();
    await outbox;
    if (failure !== undefined) throw failure;
    return { ...stats };
  }

  // A stopping consumer takes no new events in (a webhook answers 503); what was accepted stays with the source.
  stopCtl.signal.addEventListener('abort', () => source.stopAccepting?.(), { once: true });
  const outbox = outboxLoop().catch((err: unknown) => logger().error({ err: errorMessage(err) }, 'outbox drain failed'));
  const done = loop();
  done.catch(() => {}); // a caller that only calls stop() still sees the rejection there
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

/** Why an event was dead-lettered, in one line: a payload failing its schema names each field and what is wrong. */
export function deadLetterReason(err: unknown): string {
  const issues = err instanceof Error && err.name === 'ZodError' ? (err as unknown as { issues?: unknown }).issues : undefined;
  return describeIssues(issues) ?? errorMessage(err);
}

/** `invalid event: amount: expected number; …` for a list of zod issues, or undefined for anything else. */
export function describeIssues(issues: unknown): string | undefined {
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  if (!issues.every((i) => i && typeof i === 'object' && typeof i.message === 'string' && Array.isArray(i.path))) return undefined;
  const list = issues as { path: PropertyKey[]; message: string }[];
  return `invalid event: ${list.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`).join('; ')}`;
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
