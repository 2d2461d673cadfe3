/**
 * Guardrails: checks on what goes into a step and what comes out of it,
 * built on the interceptor seam. An input guardrail runs before the step (an
 * agent: before its first model call) and may let the input through, block
 * it with a GuardrailTripped, or rewrite it (redact a card number). An output
 * guardrail checks the final output and may block it, or ask once for a
 * correction (an agent is given its conversation, its answer and the reason)
 * and block if the second answer fails too.
 *
 * A check is plain code or a model call: it gets a context whose model calls
 * are charged to the run's budget and traced under the guardrail's own span.
 * Every check is a `decision` span named `guardrail:<name>` whose attributes
 * tell `stage`, `tripped`, `action` and `reason`, so traces, evals and the
 * run stream see each verdict.
 *
 * Attach them to an agent (`new Agent({ guardrails: { input, output } })`,
 * around that agent's own run) or give them as interceptors
 * (`run(step, input, { interceptors: [guardrail] })`, around the run's root
 * step, or the steps named by `steps`).
 */
import type { RunContext } from './context.js';
import { ConfigError, GuardrailTripped } from './errors.js';
import type { Interceptor, StepInvocation } from './interceptor.js';
import { textOf, type Message } from './messages.js';

export type InputVerdict = { allow: true } | { block: string } | { rewrite: string; reason?: string };
export type OutputVerdict = { allow: true } | { block: string };

/** What a check is given. */
export interface GuardrailArgs {
  /** The text under check: a string input as is, the last user message of a conversation, an agent's answer; else JSON. */
  text: string;
  /** The conversation: the input's messages, or for an agent's output everything it saw (tool results included). */
  messages: readonly Message[];
  /** The text of every tool result in `messages` that did not fail: what an answer may be grounded in. */
  toolOutputs: readonly string[];
  /** The step's input or output as it is. */
  value: unknown;
  /** For a model-based check: its calls are charged to the run's budget and traced under the guardrail's span. */
  ctx: RunContext;
}

interface GuardrailOptions<V> {
  /** Names the guardrail in its spans (`guardrail:<name>`) and in GuardrailTripped. */
  name: string;
  check(args: GuardrailArgs): V | Promise<V>;
  /** As an interceptor: the steps it guards, by name or path. Default: the run's root step. */
  steps?: string | readonly string[];
}

export interface InputGuardrailOptions extends GuardrailOptions<InputVerdict> {
  /**
   * Check while the step's first model call is in flight (saves the check's latency). That call's
   * answer, and every tool call and step beneath, wait for the verdict; a block aborts the call
   * and discards its result. A concurrent guardrail may not rewrite: the input has already gone.
   */
  concurrent?: boolean;
}

export interface OutputGuardrailOptions extends GuardrailOptions<OutputVerdict> {
  /**
   * Ask once for a correction before blocking: the step is run again with its conversation, its
   * answer and this message (default: the reason and a request to answer again). Needs an output
   * with `messages` and `text` (an agent's result); any other output is blocked.
   */
  correct?: boolean | ((reason: string) => string);
}

type Next = (call: StepInvocation) => Promise<unknown>;

/** A guardrail is an interceptor (its `step` hook guards the steps it is scoped to) that an Agent can also run around itself. */
export interface Guardrail extends Interceptor {
  readonly name: string;
  readonly stage: 'input' | 'output';
  /** Guards one step call; the verdict's span hangs under `parentSpanId`. */
  guard(call: StepInvocation, next: Next, parentSpanId: string | undefined): Promise<unknown>;
}

export function inputGuardrail(options: InputGuardrailOptions): Guardrail {
  const { name, check, concurrent = false } = options;
  async function guard(call: StepInvocation, next: Next, parentSpanId: string | undefined): Promise<unknown> {
    const given = inputOf(call.input);
    const verdict = judge(name, 'input', parentSpanId, call.ctx, check, given, 'block');
    if (concurrent) return guardConcurrently(name, call, next, verdict);
    const v = await verdict;
    if ('block' in v) throw new GuardrailTripped(name, 'input', v.block);
    return next('rewrite' in v ? { ...call, input: rewritten(name, call.input, v.rewrite) } : call);
  }
  return scoped(name, 'input', options.steps, guard);
}

export function outputGuardrail(options: OutputGuardrailOptions): Guardrail {
  const { name, check, correct } = options;
  async function guard(call: StepInvocation, next: Next, parentSpanId: string | undefined): Promise<unknown> {
    const out = await next(call);
    const conversation = correct ? asConversation(out) : undefined;
    const first = await judge(name, 'output', parentSpanId, call.ctx, check, outputOf(out), conversation ? 'correct' : 'block');
    if ('allow' in first) return out;
    if (!conversation) throw new GuardrailTripped(name, 'output', first.block);
    const ask = typeof correct === 'function' ? correct(first.block) : `Your answer was not sent: ${first.block}. Answer again without that problem.`;
    const input: Message[] = [
      ...conversation.messages.filter((m) => m.role !== 'system'),
      { role: 'assistant', content: conversation.text },
      { role: 'user', content: ask },
    ];
    const again = await next({ ...call, input });
    const second = await judge(name, 'output', parentSpanId, call.ctx, check, outputOf(again), 'block');
    if ('allow' in second) return again;
    throw new GuardrailTripped(name, 'output', second.block);
  }
  return scoped(name, 'output', options.steps, guard);
}

/** Runs `core` inside `guardrails`, the first given the outermost (an Agent's own guardrails around its run). */
export function runGuarded(guardrails: readonly Guardrail[], call: StepInvocation, core: Next, parentSpanId: string | undefined): Promise<unknown> {
  const at = (i: number, current: StepInvocation): Promise<unknown> =>
    i === guardrails.length ? core(current) : guardrails[i]!.guard(current, (c) => at(i + 1, c), parentSpanId);
  return at(0, call);
}

/** The guardrail as an interceptor: its step hook guards the steps named by `steps` (default: the run's root step). */
function scoped(name: string, stage: 'input' | 'output', steps: string | readonly string[] | undefined, guard: Guardrail['guard']): Guardrail {
  const names = steps === undefined ? undefined : typeof steps === 'string' ? [steps] : steps;
  const applies = (call: StepInvocation) => (names ? names.includes(call.step.name) || names.includes(call.path) : call.parentSpanId === undefined);
  return {
    name,
    stage,
    guard,
    // A guarded step's own span may never open (an input it blocks): the verdict hangs under its parent.
    step: (call, next) => (applies(call) ? guard(call, next, call.parentSpanId ?? call.spanId) : next(call)),
  };
}

/** Runs one check as a `decision` span `guardrail:<name>` and records the verdict on it. */
async function judge<V extends InputVerdict | OutputVerdict>(
  name: string,
  stage: 'input' | 'output',
  parentSpanId: string | undefined,
  ctx: RunContext,
  check: (args: GuardrailArgs) => V | Promise<V>,
  given: Omit<GuardrailArgs, 'ctx'>,
  onBlock: 'block' | 'correct',
): Promise<V> {
  const span = ctx.tracer.start('decision', `guardrail:${name}`, parentSpanId);
  try {
    const verdict = await check({ ...given, ctx: ctx.with({ spanId: span.id }) });
    const v = verdict as Partial<{ allow: unknown; block: unknown; rewrite: unknown; reason: unknown }> | undefined;
    if (v?.allow === true) span.end({ stage, tripped: false, action: 'allow', reason: undefined });
    else if (typeof v?.block === 'string') span.end({ stage, tripped: true, action: onBlock, reason: v.block });
    else if (stage === 'input' && typeof v?.rewrite === 'string') span.end({ stage, tripped: false, action: 'rewrite', reason: typeof v.reason === 'string' ? v.reason : undefined });
    // Fail closed: a check that answers something else blocks, with the mistake named.
    else throw new ConfigError(`guardrail.${name}`, `check must return { allow: true }, { block: reason }${stage === 'input' ? ' or { rewrite: text }' : ''}; got ${JSON.stringify(verdict)}`);
    return verdict;
  } catch (err) {
    span.fail(err, { stage });
    throw err;
  }
}

/**
 * The step starts while the check runs, under a cancellation scope of its own and a gate: its first
 * model call goes out at once, but its answer and every later call wait for the verdict. A block
 * aborts the scope (the model call in flight with it) and drops whatever the step made.
 */
async function guardConcurrently(name: string, call: StepInvocation, next: Next, judging: Promise<InputVerdict>): Promise<unknown> {
  const scope = call.ctx.cancel.child();
  const verdict = judging.then((v) => {
    if ('block' in v) throw new GuardrailTripped(name, 'input', v.block);
    if ('rewrite' in v) throw new ConfigError(`guardrail.${name}`, 'a concurrent guardrail cannot rewrite the input: it has already gone to the model');
  });
  const gate = admitAfter(name, verdict);
  const work = next({ ...call, ctx: call.ctx.with({ cancel: scope, interceptors: [...call.ctx.interceptors, gate] }) });
  try {
    await verdict;
  } catch (err) {
    scope.abort(err);
    work.catch(noop); // aborted and discarded
    scope.detach();
    throw err;
  }
  try {
    return await work;
  } finally {
    scope.detach();
  }
}

/** An interceptor that lets the first model call go out at once and holds its answer, and every other call, until `verdict` settles. */
function admitAfter(name: string, verdict: Promise<void>): Interceptor {
  let first = true;
  return {
    name: `guardrail:${name}:gate`,
    async model(call, next) {
      if (!first) return verdict.then(() => next(call));
      first = false;
      const response = await next(call);
      await verdict;
      return response;
    },
    tool: (call, next) => verdict.then(() => next(call)),
    step: (call, next) => verdict.then(() => next(call)),
  };
}

function noop(): void {}

/** What an input check sees: a string as is, a conversation's last user message, anything else as JSON. */
function inputOf(input: unknown): Omit<GuardrailArgs, 'ctx'> {
  if (typeof input === 'string') return seen(input, [{ role: 'user', content: input }], input);
  if (isMessages(input)) return seen(textOf(lastUser(input)?.content ?? ''), input, input);
  return seen(JSON.stringify(input) ?? '', [], input);
}

/** The input with its text replaced: a string, or the text of a conversation's last user message (its images and files kept). */
function rewritten(name: string, input: unknown, text: string): unknown {
  if (typeof input === 'string') return text;
  const last = isMessages(input) ? lastUser(input) : undefined;
  if (!last) throw new ConfigError(`guardrail.${name}`, 'can rewrite only a text input or a conversation with a user message');
  const content = typeof last.content === 'string' ? text : [{ type: 'text', text }, ...last.content.filter((p) => p.type !== 'text')];
  return (input as readonly Message[]).map((m) => (m === last ? { role: 'user', content } : m));
}

/** What an output check sees: a string as is, an agent's answer with its conversation, anything else as JSON. */
function outputOf(out: unknown): Omit<GuardrailArgs, 'ctx'> {
  if (typeof out === 'string') return seen(out, [], out);
  const conversation = asConversation(out);
  if (conversation) return seen(conversation.text, conversation.messages, out);
  return seen(JSON.stringify(out) ?? '', [], out);
}

function seen(text: string, messages: readonly Message[], value: unknown): Omit<GuardrailArgs, 'ctx'> {
  const toolOutputs = messages.flatMap((m) => (m.role === 'tool' && !m.isError ? [textOf(m.content)] : []));
  return { text, messages, toolOutputs, value };
}

function asConversation(out: unknown): { text: string; messages: readonly Message[] } | undefined {
  const o = out as { text?: unknown; messages?: unknown } | null | undefined;
  return o && typeof o.text === 'string' && isMessages(o.messages) ? { text: o.text, messages: o.messages } : undefined;
}

function isMessages(value: unknown): value is readonly Message[] {
  return Array.isArray(value) && value.every((m) => typeof (m as { role?: unknown } | null)?.role === 'string');
}

function lastUser(messages: readonly Message[]): (Message & { role: 'user' }) | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i] as Message & { role: 'user' };
  return undefined;
}
