/**
 * `stream()`: a run as it happens. It runs the step exactly as `run()` does,
 * with one interceptor of its own (outermost) and one trace sink: the
 * interceptor makes model calls stream and turns step, model and tool calls
 * into events; the sink turns decisions, approvals and budget stops into
 * events. Nothing in the primitives knows a run is streamed, and a run that
 * is not streamed pays nothing.
 */
import { RunAborted } from '../errors.js';
import type { Interceptor, ModelInvocation, StepInvocation, ToolInvocation } from '../interceptor.js';
import type { StreamEvent } from '../model.js';
import { redact } from '../redact.js';
import { newRunId } from '../run-id.js';
import { run, type RunOptions, type RunResult } from '../run.js';
import type { SpanRecord, TraceSink } from '../span.js';
import type { Step } from '../step.js';
import { EventQueue } from './event-queue.js';
import { eventError, type RunEvent, type RunEventBody } from './events.js';
import { parsePartialJson } from './partial-json.js';

export interface RunStream<O> extends AsyncIterable<RunEvent> {
  /** The same result `run()` gives (rejects as `run()` would; RunAborted when the stream is cancelled). */
  readonly result: Promise<RunResult<O>>;
  /** Stops the run: the model request is aborted, running tools see their signal fire. */
  cancel(reason?: unknown): void;
}

export interface StreamOptions {
  /** Events buffered before producers wait for the reader (default 64). */
  highWater?: number;
}

/** What `streamRun` hands the function that starts the run: add these to its run options. */
export interface StreamHooks {
  runId: string;
  interceptors: Interceptor[];
  sinks: TraceSink[];
  signal: AbortSignal;
}

/** Streams `step` on `input`: the same options as `run()`. */
export function stream<I, O>(step: Step<I, O>, input: I, options: RunOptions & StreamOptions = {}): RunStream<O> {
  return streamRun<O>((hooks) => run(step, input, withHooks(options, hooks)), options);
}

interface Hookable {
  runId?: string;
  interceptors?: readonly Interceptor[];
  sinks?: readonly TraceSink[];
  signal?: AbortSignal;
}

/** Run options with a stream's hooks added: its interceptor outermost, its sink last, both signals followed. */
export function withHooks<T extends object>(options: T, hooks: StreamHooks): T & Required<Hookable> {
  const o = options as Hookable;
  return {
    ...options,
    runId: hooks.runId,
    interceptors: [...hooks.interceptors, ...(o.interceptors ?? [])],
    sinks: [...(o.sinks ?? []), ...hooks.sinks],
    signal: o.signal ? AbortSignal.any([o.signal, hooks.signal]) : hooks.signal,
  };
}

/**
 * Streams any run: `start` gets the hooks and starts the run with them (an example that builds its own
 * run, a durable run: `streamRun((h) => durableRun(name, step, input, withHooks({ store }, h)))`).
 */
export function streamRun<O>(start: (hooks: StreamHooks) => Promise<RunResult<O> | { runId: string; usage?: unknown; status?: string }>, options: StreamOptions & { runId?: string } = {}): RunStream<O> {
  const runId = options.runId ?? newRunId();
  const abort = new AbortController();
  const cancel = (reason?: unknown) => {
    if (!abort.signal.aborted) abort.abort(new RunAborted(reason ?? 'the stream was cancelled'));
  };
  const queue = new EventQueue<RunEvent>(options.highWater ?? 64, () => cancel('the reader stopped'));
  const emitter = new RunEmitter(runId, queue);
  const result = (async () => {
    try {
      const out = await start({ runId, interceptors: [emitter.interceptor], sinks: [emitter.sink], signal: abort.signal });
      const status = (out as { status?: string }).status === 'suspended' ? 'suspended' : 'completed';
      emitter.end(status, (out as { usage?: RunResult<O>['usage'] }).usage);
      return out as RunResult<O>;
    } catch (err) {
      const aborted = abort.signal.aborted || (err as { code?: unknown } | undefined)?.code === 'RUN_ABORTED';
      const suspended = (err as { name?: string })?.name === 'RunSuspended';
      if (!suspended) emitter.emit(emitter.root(), { type: 'error', error: eventError(err) });
      emitter.end(suspended ? 'suspended' : aborted ? 'aborted' : 'failed', (err as { usage?: RunResult<O>['usage'] }).usage);
      throw err;
    } finally {
      queue.close();
    }
  })();
  // A reader that only iterates must not get an unhandled rejection; `result` still rejects for whoever awaits it.
  result.catch(() => undefined);
  return { result, cancel, [Symbol.asyncIterator]: () => queue };
}

type Place = Pick<RunEvent, 'spanId' | 'parentSpanId' | 'path'>;

/** Turns the run's calls and trace events into RunEvents on the queue. */
class RunEmitter {
  /** Paths of the spans seen so far, to place trace events (which know only their parent span). */
  private readonly paths = new Map<string, string>();
  private rootPlace: Place | undefined;

  constructor(
    private readonly runId: string,
    private readonly queue: EventQueue<RunEvent>,
  ) {}

  emit(place: Place, body: RunEventBody): Promise<void> | undefined {
    return this.queue.push({ runId: this.runId, spanId: place.spanId, parentSpanId: place.parentSpanId, path: place.path, at: Date.now(), ...body } as RunEvent);
  }

  root(): Place {
    return this.rootPlace ?? { spanId: this.runId, parentSpanId: undefined, path: '' };
  }

  end(status: 'completed' | 'suspended' | 'failed' | 'aborted', usage: RunResult<unknown>['usage'] | undefined): void {
    this.emit(this.root(), { type: 'run-end', status, ...(usage ? { usage } : {}) });
  }

  private place(call: StepInvocation | ModelInvocation | ToolInvocation): Place {
    this.paths.set(call.spanId, call.path);
    return { spanId: call.spanId, parentSpanId: call.parentSpanId, path: call.path };
  }

  readonly interceptor: Interceptor = {
    name: 'stream',
    step: async (call, next) => {
      const place = this.place(call);
      if (call.parentSpanId === undefined) {
        this.rootPlace = place;
        await this.emit(place, { type: 'run-start', step: call.step.name });
        return next(call);
      }
      await this.emit(place, { type: 'step-start', step: call.step.name });
      const t0 = performance.now();
      try {
        const out = await next(call);
        await this.emit(place, { type: 'step-end', step: call.step.name, status: 'ok', durationMs: performance.now() - t0 });
        return out;
      } catch (err) {
        await this.emit(place, { type: 'step-end', step: call.step.name, status: 'error', durationMs: performance.now() - t0, error: eventError(err) });
        throw err;
      }
    },
    model: async (call, next) => {
      const place = this.place(call);
      await this.emit(place, { type: 'model-start', name: call.name, provider: call.model.provider, model: call.model.modelId });
      let streamed = false;
      let text = '';
      let lastObject = '';
      const structured = call.request.output !== undefined;
      const outer = call.onStreamEvent;
      const onStreamEvent = (event: StreamEvent): void | Promise<void> => {
        const before = outer?.(event);
        const type = (event as { type: string }).type;
        let mine: Promise<void> | undefined;
        if (type === 'text-delta') {
          streamed = true;
          const delta = (event as { delta: string }).delta;
          mine = this.emit(place, { type: 'text-delta', delta });
          if (structured) {
            text += delta;
            const object = parsePartialJson(text);
            const json = object === undefined ? '' : JSON.stringify(object);
            if (json && json !== lastObject) {
              lastObject = json;
              mine = this.emit(place, { type: 'object-delta', object }) ?? mine;
            }
          }
        } else if (type === 'reasoning-delta') {
          streamed = true;
          mine = this.emit(place, { type: 'reasoning-delta', delta: (event as unknown as { delta: string }).delta });
        }
        return before && mine ? Promise.all([before, mine]).then(() => undefined) : (before ?? mine);
      };
      const response = await next({ ...call, onStreamEvent });
      // Answered without a stream (a cache, a durable replay): the text arrives whole.
      if (!streamed && response.text) {
        await this.emit(place, { type: 'text-delta', delta: response.text, whole: true });
        if (structured) {
          const object = parsePartialJson(response.text);
          if (object !== undefined) await this.emit(place, { type: 'object-delta', object });
        }
      }
      await this.emit(place, { type: 'usage', usage: call.ctx.budget.usage(), limits: call.ctx.budget.limits });
      return response;
    },
    tool: async (call, next) => {
      const place = this.place(call);
      const { id, name, arguments: raw } = call.call;
      let args: unknown = raw;
      try {
        args = raw.trim() === '' ? {} : JSON.parse(raw);
      } catch {
        /* the model's malformed text, shown as it is; the tool call itself reports the error */
      }
      await this.emit(place, { type: 'tool-call', toolCallId: id, tool: name, args: redact(args) });
      const outcome = await next(call);
      await this.emit(place, { type: 'tool-result', toolCallId: id, tool: name, ok: outcome.ok, result: redact(outcome.ok ? outcome.result : outcome.content), durationMs: outcome.durationMs });
      return outcome;
    },
  };

  readonly sink: TraceSink = {
    onSpan: (span: SpanRecord) => {
      const body = this.traceEvent(span);
      if (!body) return;
      const parent = span.parentId;
      // Trace events cannot wait for the reader (the tracer is synchronous): they are always kept.
      this.emit({ spanId: span.spanId, parentSpanId: parent, path: (parent && this.paths.get(parent)) ?? this.root().path }, body);
    },
  };

  private traceEvent(span: SpanRecord): RunEventBody | undefined {
    const details = span.attributes;
    if (span.kind === 'decision') return { type: 'decision', name: span.name, details };
    if (span.kind === 'budget') return { type: 'decision', name: `budget:${span.name}`, details };
    if (span.kind === 'approval' && span.name.startsWith('approval-requested:')) return { type: 'approval-requested', tool: span.name.slice('approval-requested:'.length), details };
    if (span.kind === 'event' && span.name === 'resumed') return { type: 'resumed', details };
    return undefined;
  }
}
