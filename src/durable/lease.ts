/**
 * The lease a process holds on the durable run it executes: an owner id
 * (host id, pid, random part) and an expiry, renewed by a heartbeat. Another
 * process, on this host or any other, takes the run over only once the lease
 * has expired (`Store.claimRun` checks it in the same statement). A holder
 * that finds its lease taken (it was paused for longer than the lease, or
 * the store was out of reach) aborts its run and writes nothing more.
 *
 * Hosts' clocks are assumed to agree to well within `ttlMs`.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RunLease, Store } from '../store/types.js';
import { LeaseLost } from './errors.js';

export interface LeaseOptions {
  /** How long a lease lasts without a heartbeat (ms). Default 30 s; a crashed run can be resumed that long after. */
  ttlMs?: number;
  /** This machine's name in the lease. Default: the OS host name. */
  hostId?: string;
}

export const DEFAULT_LEASE_MS = 30_000;

export class RunLeaseKeeper {
  readonly owner: string;
  readonly ttlMs: number;
  /** Expiry of the last lease the store confirmed. */
  private confirmedUntil = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly lost = new AbortController();

  constructor(
    private readonly store: Store,
    private readonly runId: string,
    options: LeaseOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_LEASE_MS;
    this.owner = `${options.hostId ?? hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  }

  /** A lease from now on. */
  next(now: number = Date.now()): RunLease {
    return { owner: this.owner, expiresAt: now + this.ttlMs };
  }

  /** Aborted (with LeaseLost) when the lease is gone. */
  get signal(): AbortSignal {
    return this.lost.signal;
  }

  /** Once `claimed` is written: renews it every third of its length until stop(). */
  start(claimed: RunLease): void {
    this.confirmedUntil = claimed.expiresAt;
    let renewing = false;
    this.timer = setInterval(() => {
      if (renewing) return;
      renewing = true;
      const lease = this.next();
      this.store.renewLease(this.runId, lease).then(
        (held) => {
          renewing = false;
          if (held) this.confirmedUntil = lease.expiresAt;
          else this.lose('another process took it over');
        },
        () => {
          renewing = false;
          // The store is out of reach: past the last confirmed expiry, another process may take over.
          if (Date.now() > this.confirmedUntil) this.lose('it could not be renewed before it expired');
        },
      );
    }, Math.max(10, Math.floor(this.ttlMs / 3)));
    this.timer.unref?.();
  }

  /**
   * Before a side effect: passes while the store-confirmed lease is still valid by this clock (nobody can
   * have taken the run over), else renews it now, and throws LeaseLost when that fails.
   */
  async confirm(): Promise<void> {
    if (this.lost.signal.aborted) throw this.lostError();
    if (Date.now() < this.confirmedUntil) return;
    const lease = this.next();
    if (!(await this.store.renewLease(this.runId, lease))) {
      this.lose('another process took it over');
      throw this.lostError();
    }
    this.confirmedUntil = lease.expiresAt;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Why the run stopped: the heartbeat's finding, or (when a final write found the lease gone) a takeover. */
  lostError(): LeaseLost {
    return (this.lost.signal.reason as LeaseLost | undefined) ?? new LeaseLost(this.runId, this.owner, 'another process took it over');
  }

  private lose(why: string): void {
    this.stop();
    this.lost.abort(new LeaseLost(this.runId, this.owner, why));
  }
}
