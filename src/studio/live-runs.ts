/**
 * Runs started from the page, streamed to it as they happen: every RunEvent
 * (tokens included) of such a run is kept in memory while the studio runs and
 * relayed to each page that follows it as server-sent events — first what
 * already happened, then the rest live. Runs of other processes reach the
 * page through the store instead (live.ts), span by span.
 */
import type { ServerResponse } from 'node:http';
import { streamRun, type StreamHooks } from '../core/streaming/stream.js';
import type { RunEvent } from '../core/streaming/events.js';
import { sseFrame } from '../core/streaming/sse.js';
import type { RunResult } from '../core/run.js';
import { newRunId } from '../core/run-id.js';
import { ApiError } from './api.js';
import { SECURITY_HEADERS } from './security.js';

/** Starts a run of `workflow` on `input` (the example's own when undefined) with the stream's hooks. */
export type Launcher = (workflow: string, input: string | undefined, hooks: StreamHooks) => Promise<RunResult<unknown>>;

interface LiveRun {
  events: RunEvent[];
  followers: Set<ServerResponse>;
  done: boolean;
}

/** Events kept per run for pages that start following late (a longer run keeps its first ones). */
const MAX_EVENTS = 50_000;

export class LiveRuns {
  private readonly runs = new Map<string, LiveRun>();

  constructor(
    private readonly launch: Launcher,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts the run and returns its id at once; the run goes on in the background. */
  start(workflow: string, input: string | undefined): string {
    const runId = newRunId();
    const stream = streamRun((hooks) => this.launch(workflow, input, hooks), { runId });
    const live: LiveRun = { events: [], followers: new Set(), done: false };
    this.runs.set(runId, live);
    const pump = (async () => {
      for await (const event of stream) {
        if (live.events.length < MAX_EVENTS) live.events.push(event);
        const frame = sseFrame(event);
        for (const res of live.followers) res.write(frame);
      }
    })();
    pump
      .catch((err: unknown) => this.log(`studio: run of ${workflow} failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        live.done = true;
        for (const res of live.followers) res.end();
        live.followers.clear();
      });
    return runId;
  }

  has(runId: string): boolean {
    return this.runs.has(runId);
  }

  follow(runId: string, res: ServerResponse): void {
    const live = this.runs.get(runId);
    if (!live) throw new ApiError(404, `run ${runId} was not started by this studio`);
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    for (const event of live.events) res.write(sseFrame(event));
    if (live.done) return void res.end();
    live.followers.add(res);
    res.on('close', () => live.followers.delete(res));
  }

  close(): void {
    for (const live of this.runs.values()) for (const res of live.followers) res.end();
  }
}
