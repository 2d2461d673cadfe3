/**
 * Live updates for the page: one poller per server (only while a page
 * listens) looks at the store and tells every listener, as a server-sent
 * event, which runs changed — a new run, a new status, new spans — so the
 * page refetches what it shows. The store is what every process writing runs
 * shares, so this sees runs of the CLI, workers and the studio alike.
 */
import type { ServerResponse } from 'node:http';
import type { Store } from '../store/types.js';
import { SECURITY_HEADERS } from './security.js';

export class LiveFeed {
  private readonly listeners = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private last = new Map<string, string>();
  private polling = false;

  constructor(
    private readonly store: Store,
    private readonly pollMs: number,
  ) {}

  attach(res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    res.write(': live\n\n');
    this.listeners.add(res);
    res.on('close', () => {
      this.listeners.delete(res);
      if (this.listeners.size === 0) this.stop();
    });
    if (!this.timer) {
      void this.poll(true);
      this.timer = setInterval(() => void this.poll(false), this.pollMs);
    }
  }

  /** A fingerprint per run (status, update time, span count of unfinished runs); the runs whose print changed. */
  private async poll(first: boolean): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const runs = await this.store.listRuns({ limit: 500 });
      const next = new Map<string, string>();
      for (const r of runs) {
        const spans = r.status === 'running' || r.status === 'suspended' ? (await this.store.getTrace(r.runId)).length : 0;
        next.set(r.runId, `${r.status}:${r.updatedAt}:${spans}`);
      }
      const changed = first ? [] : [...next].filter(([id, print]) => this.last.get(id) !== print).map(([id]) => id);
      this.last = next;
      if (changed.length) this.send('runs', { changed });
    } catch (err) {
      this.send('error', { message: err instanceof Error ? err.message : String(err) });
    } finally {
      this.polling = false;
    }
  }

  private send(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.listeners) res.write(frame);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stop();
    for (const res of this.listeners) res.end();
    this.listeners.clear();
  }
}
