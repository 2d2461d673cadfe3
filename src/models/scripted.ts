/**
 * The scripted model: deterministic, offline, for tests, benchmarks and the
 * demo. Every response it gives is recorded with provider "scripted", and
 * everything that prints results says so. It is stateless: the answer depends
 * only on the conversation it receives, so one instance serves any number of
 * concurrent runs.
 */
import { ConfigError, ModelError } from '../core/errors.js';
import { contentChars, textOf, type Message, type ToolCall } from '../core/messages.js';
import type { CallOptions, Model, ModelRequest, ModelResponse, StreamEvent, Usage } from '../core/model.js';

export type ScriptedTurn =
  | string
  | {
      text?: string;
      toolCalls?: { name: string; args: unknown; id?: string }[];
      /** Structured output: sent back as its JSON text. */
      object?: unknown;
      usage?: Usage;
      delayMs?: number;
      /** Simulate a provider failure on this turn. */
      error?: { status?: number; message: string };
    };

/** Answers one request; `turn` is how many assistant turns the conversation already has. */
export type Responder = (request: ModelRequest, turn: number) => ScriptedTurn;

export interface ScriptRule {
  /** Matched against the system prompt and the last user message. */
  match: RegExp | string | ((request: ModelRequest) => boolean);
  /** One answer, a list indexed by the conversation's assistant turn, or a function. */
  reply: ScriptedTurn | ScriptedTurn[] | Responder;
}

export interface ScriptedOptions {
  name?: string;
  /** Wait this long before every answer (with 0, no timer at all). */
  delayMs?: number;
  /**
   * When streamed, wait this long before each piece after the first, as a real provider's tokens arrive over
   * time (so parallel agents' streams overlap, as they would live). Unset or 0: no timer. generate() ignores it.
   */
  chunkDelayMs?: number;
  /** Fixed usage per call; by default ~4 characters per token of what went in and out. */
  usage?: Usage;
}

export const SCRIPTED_NOTICE = 'scripted model: offline, deterministic answers written for this example, not a real LLM';

export class ScriptedModel implements Model {
  readonly provider = 'scripted';
  readonly modelId: string;

  constructor(
    private readonly responder: Responder,
    private readonly options: ScriptedOptions = {},
  ) {
    this.modelId = options.name ?? 'scripted';
  }

  generate(request: ModelRequest, options?: CallOptions): Promise<ModelResponse> {
    try {
      const turn = assistantTurns(request.messages);
      const answer = this.responder(request, turn);
      const delay = typeof answer === 'object' && answer.delayMs !== undefined ? answer.delayMs : this.options.delayMs;
      if (!delay) return Promise.resolve(this.toResponse(answer, request, turn));
      // The answer is made when the delay is over: one promise per call, no extra tick.
      return afterDelay(delay, options, () => this.toResponse(answer, request, turn));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The same answer as generate(), its text in word-sized pieces (so a streamed demo visibly streams). */
  async *stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamEvent> {
    const response = await this.generate(request, options);
    const pace = this.options.chunkDelayMs;
    let first = true;
    for (const delta of response.text.match(/\s*\S+\s*/g) ?? []) {
      if (pace && !first) await afterDelay(pace, options, () => undefined);
      first = false;
      if (options?.signal?.aborted) throw options.signal.reason;
      yield { type: 'text-delta', delta };
    }
    for (const call of response.toolCalls) yield { type: 'tool-call', call };
    yield { type: 'finish', response };
  }

  private toResponse(answer: ScriptedTurn, request: ModelRequest, turn: number): ModelResponse {
    const a = typeof answer === 'string' ? { text: answer } : answer;
    if (a.error) throw new ModelError('scripted', a.error.message, { status: a.error.status, retryable: false });
    const text = a.object !== undefined ? JSON.stringify(a.object) : (a.text ?? '');
    // Built by push, not map(): lists from map() changed elements kind as the code tiered up, and
    // every optimized caller that had seen the other kind was thrown away (bench S3 deopt trace).
    const toolCalls: ToolCall[] = [];
    const calls = a.toolCalls;
    if (calls) {
      for (let i = 0; i < calls.length; i++) {
        const c = calls[i]!;
        toolCalls.push({ id: c.id ?? `call_${turn}_${i}`, name: c.name, arguments: typeof c.args === 'string' ? c.args : JSON.stringify(c.args ?? {}) });
      }
    }
    const usage = a.usage ?? this.options.usage ?? estimateUsage(request, text, toolCalls);
    return { text, toolCalls, usage, finishReason: toolCalls.length ? 'tool_calls' : 'stop', providerRequestId: `scripted-${turn}` };
  }
}

/** A scripted model from a list of turns (one per assistant turn of a conversation) or a responder function. */
export function scripted(script: readonly ScriptedTurn[] | Responder, options: ScriptedOptions = {}): ScriptedModel {
  if (typeof script === 'function') return new ScriptedModel(script, options);
  if (script.length === 0) throw new ConfigError('scripted.script', 'needs at least one turn');
  const turns = [...script];
  return new ScriptedModel((_req, turn) => {
    if (turn >= turns.length) throw new ScriptExhausted(turns.length, turn + 1);
    return turns[turn]!;
  }, options);
}

/**
 * A scripted conversation went past its last written turn. Repeating the last
 * turn instead would replay a tool call until the turn cap, so the run stops
 * here and says why.
 */
export class ScriptExhausted extends ModelError {
  readonly turns: number;
  constructor(turns: number, asked: number) {
    super('scripted', `the script has ${turns} turn${turns === 1 ? '' : 's'} and the conversation asked for turn ${asked}; write a turn for every answer (the last one usually a final text)`);
    this.turns = turns;
  }
}

/** A scripted model that answers by rules, for multi-agent examples where each role has its own prompt. */
export function scriptedByRules(rules: readonly ScriptRule[], options: ScriptedOptions & { fallback?: ScriptedTurn } = {}): ScriptedModel {
  return new ScriptedModel((request, turn) => {
    for (const rule of rules) {
      if (!matches(rule.match, request)) continue;
      const r = rule.reply;
      if (typeof r === 'function') return r(request, turn);
      if (Array.isArray(r)) return r[Math.min(turn, r.length - 1)]!;
      return r as ScriptedTurn;
    }
    if (options.fallback !== undefined) return options.fallback;
    throw new ModelError('scripted', `no scripted answer matches this request (system: "${systemPrompt(request).slice(0, 80)}")`);
  }, options);
}

function matches(match: ScriptRule['match'], request: ModelRequest): boolean {
  if (typeof match === 'function') return match(request);
  const hay = `${systemPrompt(request)}\n${lastUserMessage(request)}`;
  return typeof match === 'string' ? hay.includes(match) : match.test(hay);
}

export function systemPrompt(request: ModelRequest): string {
  const m = request.messages.find((x) => x.role === 'system');
  return m ? m.content : '';
}

export function lastUserMessage(request: ModelRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i]!;
    if (m.role === 'user') return textOf(m.content);
  }
  return '';
}

/** A tool result with its content as text (parts other than text left out). */
export type ToolResultText = Extract<Message, { role: 'tool' }> & { content: string };

/** Tool results already in the conversation. */
export function toolResults(request: ModelRequest): ToolResultText[] {
  const out: ToolResultText[] = [];
  for (const m of request.messages) if (m.role === 'tool') out.push(typeof m.content === 'string' ? (m as ToolResultText) : { ...m, content: textOf(m.content) });
  return out;
}

function assistantTurns(messages: readonly Message[]): number {
  let n = 0;
  for (let i = 0; i < messages.length; i++) if (messages[i]!.role === 'assistant') n++;
  return n;
}

function estimateUsage(request: ModelRequest, text: string, calls: ToolCall[]): Usage {
  let chars = 0;
  for (const m of request.messages) chars += contentChars(m.content);
  let out = text.length;
  for (const c of calls) out += c.arguments.length + c.name.length;
  return { inputTokens: Math.ceil(chars / 4), outputTokens: Math.max(1, Math.ceil(out / 4)) };
}

/** Resolves with `make()` after `ms`, or rejects with the signal's reason on cancellation. */
function afterDelay<T>(ms: number, options: CallOptions | undefined, make: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const signal = options?.signal;
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      settle(resolve, reject, make);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function settle<T>(resolve: (value: T) => void, reject: (err: unknown) => void, make: () => T): void {
  try {
    resolve(make());
  } catch (err) {
    reject(err);
  }
}
