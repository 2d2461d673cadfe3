/**
 * Interceptors: the one seam for wrapping the three kinds of call a run
 * makes — model calls, tool calls and steps. An interceptor has any of
 * `model(call, next)`, `tool(call, next)` and `step(call, next)`; it may look
 * at the call, change it (`next({ ...call, request })`), answer without
 * calling `next` (a cache, a replayed record), call `next` more than once (a
 * retry, a fallback) or look at what comes back. Interceptors compose in
 * order, the first given the outermost (like Hono's `compose` or the AI SDK's
 * `wrapGenerate`).
 *
 * They are given per run (`run(step, input, { interceptors })`) and per agent
 * (`new Agent({ interceptors })`, over that agent's calls and the steps
 * beneath it). The core's own work — budget charges, spans, the provider or
 * tool call itself — is the innermost `next`: a call an interceptor answers
 * itself is neither charged nor traced.
 */
import type { RunContext } from './context.js';
import type { ToolCall } from './messages.js';
import type { Model, ModelRequest, ModelResponse, StreamEvent } from './model.js';
import type { Step } from './step.js';
import type { AnyTool, ToolOutcome } from './tool.js';

/** What every call object tells: the context it runs in and where it stands in the run. */
interface CallPlace {
  /** The context the call runs in (its budget, tracer, cancellation, interceptors). Replaceable. */
  readonly ctx: RunContext;
  /** The id of the span this call makes (reserved up front, so it can be told before the call starts). */
  readonly spanId: string;
  /** The span this call runs under; undefined only for the run's root step. */
  readonly parentSpanId: string | undefined;
  /** The readable step path the call runs in ("incident-triage/parallel/logs"); a step's own path ends with its name. */
  readonly path: string;
}

/** One model call. An interceptor may replace `request` (a context policy rewrites the messages) or `model` (a fallback). */
export interface ModelInvocation extends CallPlace {
  readonly model: Model;
  readonly request: ModelRequest;
  /** The span's name: the calling agent's or prompt's name, else the model id. */
  readonly name: string;
  /**
   * When set (by an interceptor, `next({ ...call, onStreamEvent })`), the call is made with
   * `model.stream()` instead of `generate()`: every event is handed to it as it arrives, and the
   * call still returns the assembled ModelResponse (the stream's `finish` event). When it returns
   * a promise, the next event is not pulled from the provider until it settles (backpressure).
   */
  readonly onStreamEvent?: ((event: StreamEvent) => void | Promise<void>) | undefined;
}

/** One tool call the model asked for. An interceptor may replace `tools` (wrap a tool's execute) or `call`. */
export interface ToolInvocation extends CallPlace {
  readonly tools: ReadonlyMap<string, AnyTool>;
  readonly call: ToolCall;
}

/** One step run beneath another (or the run's root step). An interceptor may replace `input`. */
export interface StepInvocation<I = unknown, O = unknown> extends CallPlace {
  readonly step: Step<I, O>;
  readonly input: I;
  /** Attributes of the step's span. */
  readonly attributes: Record<string, unknown> | undefined;
}

export interface Interceptor {
  /** Shown in errors and traces of the interceptor's own making. */
  readonly name?: string;
  model?(call: ModelInvocation, next: (call: ModelInvocation) => Promise<ModelResponse>): Promise<ModelResponse>;
  tool?(call: ToolInvocation, next: (call: ToolInvocation) => Promise<ToolOutcome>): Promise<ToolOutcome>;
  step?(call: StepInvocation, next: (call: StepInvocation) => Promise<unknown>): Promise<unknown>;
}

interface Calls {
  model: [ModelInvocation, ModelResponse];
  tool: [ToolInvocation, ToolOutcome];
  step: [StepInvocation, unknown];
}
type Kind = keyof Calls;
type Hook<K extends Kind> = (this: Interceptor, call: Calls[K][0], next: (call: Calls[K][0]) => Promise<Calls[K][1]>) => Promise<Calls[K][1]>;

/** The interceptors over a context's calls (the context carries them without knowing their shape). */
export function interceptorsOf(ctx: RunContext): readonly Interceptor[] {
  return ctx.interceptors as readonly Interceptor[];
}

/**
 * Runs `call` through the interceptors of its context that handle `kind`, outermost first, and
 * `core` at the centre. Without interceptors (the common case) it is `core(call)`.
 */
export function intercept<K extends Kind>(kind: K, call: Calls[K][0], core: (call: Calls[K][0]) => Promise<Calls[K][1]>): Promise<Calls[K][1]> {
  const list = interceptorsOf(call.ctx);
  if (list.length === 0) return core(call);
  const dispatch = (from: number, current: Calls[K][0]): Promise<Calls[K][1]> => {
    for (let i = from; i < list.length; i++) {
      const interceptor = list[i]!;
      const hook = interceptor[kind] as Hook<K> | undefined;
      if (hook === undefined) continue;
      try {
        return hook.call(interceptor, current, (next) => dispatch(i + 1, next));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return core(current);
  };
  return dispatch(0, call);
}
