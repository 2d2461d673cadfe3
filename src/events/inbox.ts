/**
 * A durable inbox in the store as an EventSource: what "accepted" means for
 * a webhook. `put()` resolves once the event is stored (the 202 comes after
 * it); workers claim entries with a lease that a heartbeat renews while they
 * handle them, and remove an entry once its decision (or dead letter) is
 * stored. A stopped worker releases what it holds; a killed one's entries are
 * claimed by others when the lease runs out, or at once by its successor
 * under the same owner name. Several workers (processes, machines) may share
 * one inbox through a shared store.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../core/errors.js';
import type { Store } from '../store/types.js';
import type { Delivery, EventSource } from './source.js';

export type InboxStore = Pick<Store, 'inboxPut' | 'inboxClaim' | 'inboxRenew' | 'inboxRelease' | 'inboxRemove' | 'inboxCount'>;

export interface InboxOptions {
  store: InboxStore;
  /** The inbox's name: one per logical consumer (default "events"). */
  inbox?: string;
  /**
   * This worker's name. Entries it held in an earlier life are released at start (taken over at once), so a
   * stable name per address (the CLI uses the listening host:port) makes a restart lose no time.
   * Default: host-pid-random.
   */
  owner?: string;
  /** How long a claim holds without renewal (default 15 s); a live worker renews every third of it. */
  leaseMs?: number;
  /** How often to look for entries put by other processes or freed by an expired lease (default 500 ms). */
  pollMs?: number;
}

export interface InboxSource<T> extends EventSource<T> {
  readonly inbox: string;
  readonly owner: string;
  /** Stores an accepted event; false when one with this id is already waiting (a sender's retry). */
  put(id: string, payload: T): Promise<boolean>;
  remaining(): Promise<number>;
  close(): Promise<void>;
}

export async function inboxSource<T = unknown>(options: InboxOptions): Promise<InboxSource<T>> {
  const { store } = options;
  if (!store) throw new ConfigError('inbox.store', 'is required (accepted events are kept in the store)');
  const inbox = options.inbox ?? 'events';
  const owner = options.owner ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const leaseMs = options.leaseMs ?? 15_000;
  const pollMs = options.pollMs ?? 500;
  if (!(leaseMs > 0)) throw new ConfigError('inbox.leaseMs', 'must be > 0');
  if (!(pollMs > 0)) throw new ConfigError('inbox.pollMs', 'must be > 0');

  // Take over what this owner held before a crash or restart.
  await store.inboxRelease(inbox, owner);

  /** Ids claimed and not yet acked or nacked: the heartbeat keeps their lease. */
  const held = new Set<string>();
  let closed = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const heartbeat = setInterval(() => {
    if (held.size > 0) store.inboxRenew(inbox, owner, leaseMs).catch(() => {});
  }, Math.max(10, Math.floor(leaseMs / 3)));
  heartbeat.unref();

  return {
    name: `inbox:${inbox}`,
    inbox,
    owner,
    async put(id, payload) {
      const added = await store.inboxPut(inbox, id, payload);
      notify();
      return added;
    },
    async pull(max, signal) {
      for (;;) {
        if (closed) return null;
        if (signal.aborted) return [];
        const entries = await store.inboxClaim(inbox, owner, max, leaseMs);
        if (entries.length > 0) {
          const out: Delivery<T>[] = [];
          for (const e of entries) {
            held.add(e.eventId);
            out.push({ id: e.eventId, payload: e.payload as T, deliveries: e.deliveries });
          }
          return out;
        }
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, pollMs);
          signal.addEventListener('abort', done, { once: true });
          wake = done;
        });
      }
    },
    async ack(d) {
      await store.inboxRemove(inbox, d.id);
      held.delete(d.id);
    },
    async nack(d) {
      await store.inboxRelease(inbox, owner, d.id);
      held.delete(d.id);
      notify();
    },
    remaining: () => store.inboxCount(inbox),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      notify();
      // Whatever is still held goes back at once to whoever comes next.
      if (held.size > 0) await store.inboxRelease(inbox, owner);
      held.clear();
    },
  };
}
