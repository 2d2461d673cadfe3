/**
 * Executes one tool call the model asked for. Whatever goes wrong with the
 * call itself (unknown tool, malformed JSON, schema mismatch, a guard that
 * says no, an exception, a timeout) becomes a tool error the model sees on
 * its next turn. Only run-level stops (budget, abort, suspension) propagate.
 */
import type { ApprovalPolicy } from './approval.js';
import type { RunContext } from './context.js';
import { withDeadline } from './deadline.js';
import { errorMessage, isFatal } from './errors.js';
import { intercept, type ToolInvocation } from './interceptor.js';
import type { ToolCall } from './messages.js';
import { redact } from './redact.js';
import { scrubText } from './secrets.js';
import { formatIssues } from './schema.js';
import type { AnyTool, ToolOutcome } from './tool.js';
import type { ActiveSpan } from './tracer.js';

export type { ToolOutcome } from './tool.js';

export function runToolCall(ctx: RunContext, tools: ReadonlyMap<string, AnyTool>, call: ToolCall): Promise<ToolOutcome> {
  const invocation: ToolInvocation = { ctx, tools, call, spanId: ctx.tracer.newSpanId(), parentSpanId: ctx.spanId, path: ctx.path };
  return intercept('tool', invocation, execute);
}

/** The core of a tool call, inside every interceptor: charge, span, run. */
async function execute(invocation: ToolInvocation): Promise<ToolOutcome> {
  const { ctx, call } = invocation;
  ctx.budget.chargeToolCall();
  const t0 = performance.now();
  // A copy: a span merges its end attributes into the ones it started with.
  const fixed = invocation.tools.get(call.name)?.traceAttributes;
  const span = ctx.tracer.start('tool', call.name, invocation.parentSpanId, fixed && { ...fixed }, invocation.spanId);
  let outcome: ToolOutcome;
  try {
    outcome = await attempt(ctx, invocation.tools, call, t0);
  } catch (err) {
    // A run-level stop (budget, abort, suspension) ends the span as failed and goes on up.
    span.fail(err, { callId: call.id });
    throw err;
  }
  return endSpan(span, call, outcome);
}

function endSpan(span: ActiveSpan, call: ToolCall, outcome: ToolOutcome): ToolOutcome {
  const args = redact(outcome.args);
  if (outcome.ok) {
    // The summary is text, which key redaction cannot see into: redact the value first.
    const safe = redact(outcome.result);
    span.end({ callId: call.id, args, result: summarize(scrubText(safe === outcome.result ? outcome.content : JSON.stringify(safe))) }, undefined, true);
  } else {
    span.end({ callId: call.id, args }, { name: 'ToolError', message: String(outcome.result) }, true);
  }
  return outcome;
}

async function attempt(ctx: RunContext, tools: ReadonlyMap<string, AnyTool>, call: ToolCall, t0: number): Promise<ToolOutcome> {
  const tool = tools.get(call.name);
  if (!tool) return failure(call, call.arguments, `Unknown tool "${call.name}". Available tools: ${[...tools.keys()].join(', ')}`, t0);

  let raw: unknown;
  try {
    raw = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch (err) {
    return failure(call, call.arguments, `arguments are not valid JSON (${errorMessage(err)}); send a JSON object matching the tool's schema`, t0);
  }
  const parsed = tool.input.safeParse(raw);
  if (!parsed.success) return failure(call, raw, `invalid arguments for ${call.name}: ${formatIssues(parsed.error)}`, t0);
  const input = parsed.data;

  if (tool.guard || tool.approval) {
    const refusal = await checkGate(ctx, tool, input, call);
    if (refusal) return failure(call, input, refusal, t0);
  }
  let value: unknown;
  try {
    value = await withTimeout(ctx, tool, input, call);
  } catch (err) {
    return toolFailed(ctx, call, input, err, t0);
  }
  let content: string;
  try {
    content = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  } catch (err) {
    return toolFailed(ctx, call, input, err, t0);
  }
  // A function, a symbol (or undefined inside a toJSON) has no JSON text: the model could never be shown it.
  if (typeof content !== 'string') return failure(call, input, `${call.name} returned a ${typeof value}, which has no JSON form to show the model`, t0);
  return { callId: call.id, tool: call.name, args: input, ok: true, result: value, content, durationMs: performance.now() - t0 };
}

function failure(call: ToolCall, args: unknown, message: string, t0: number): ToolOutcome {
  return { callId: call.id, tool: call.name, args, ok: false, result: message, content: `Error: ${message}`, durationMs: performance.now() - t0 };
}

/** A tool's exception is the model's to see; a run-level stop is thrown on. */
function toolFailed(ctx: RunContext, call: ToolCall, input: unknown, err: unknown, t0: number): ToolOutcome {
  if (isFatal(err)) throw err;
  ctx.throwIfAborted();
  return failure(call, input, `${call.name} failed: ${errorMessage(err)}`, t0);
}

/** Returns a refusal message, or undefined when the call may run. Irreversible tools are always gated. */
async function checkGate(ctx: RunContext, tool: AnyTool, input: unknown, call: ToolCall): Promise<string | undefined> {
  let guardReason: string | undefined;
  if (tool.guard) {
    const verdict = await askGuard(ctx, tool, input);
    ctx.tracer.event('decision', `guard:${tool.name}`, ctx.spanId, { callId: call.id, allow: verdict.allow, reason: verdict.reason });
    if (verdict.allow) return undefined;
    // A guard that failed, timed out or answered nonsense denies the call outright (no approval asked).
    if (verdict.broken) return `blocked by policy: ${verdict.reason}`;
    guardReason = verdict.reason ?? 'policy check failed';
    if (!tool.approval) return `blocked by policy: ${guardReason}`;
  }
  if (!tool.approval) return undefined;
  const policy: ApprovalPolicy<unknown> = tool.approval === true ? {} : (tool.approval as ApprovalPolicy<unknown>);
  if (policy.when && !policy.when(input) && !guardReason) return undefined;
  if (!ctx.approvals) return `${tool.name} needs a human approval and this run has no approval gate; the action was not taken`;
  const decision = await ctx.approvals.authorize({ tool: tool.name, args: input, callId: call.id, policy }, ctx);
  ctx.tracer.event('approval', `approval:${tool.name}`, ctx.spanId, { callId: call.id, ...decision });
  if (decision.approved) return undefined;
  return `${tool.name} was not approved by ${decision.reviewer ?? 'the reviewer'}${decision.comment ? `: ${decision.comment}` : ''}; the action was not taken`;
}

interface Verdict {
  allow: boolean;
  reason?: string | undefined;
  /** The guard threw, timed out or answered something else than a verdict: it fails closed. */
  broken?: boolean;
}

/** The guard's verdict, within the tool's time limit. Fails closed: only `true` or `{ allow: true }` allows. */
async function askGuard(ctx: RunContext, tool: AnyTool, input: unknown): Promise<Verdict> {
  let answer: unknown;
  try {
    answer = await underLimit(ctx, tool.timeoutMs, `the guard of ${tool.name}`, (c) => tool.guard!(input, c));
  } catch (err) {
    if (isFatal(err)) throw err;
    ctx.throwIfAborted();
    return { allow: false, reason: `the guard failed: ${errorMessage(err)}`, broken: true };
  }
  if (answer === true || answer === false) return { allow: answer };
  if (typeof answer === 'object' && answer !== null) {
    const { allow, reason } = answer as { allow?: unknown; reason?: unknown };
    const why = typeof reason === 'string' ? reason : undefined;
    if (allow === true || allow === false) return { allow, reason: why };
  }
  return { allow: false, reason: `the guard's answer is neither true/false nor { allow: true/false } (got ${describe(answer)})`, broken: true };
}

function describe(value: unknown): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return String(typeof value === 'function' ? 'a function' : value);
  try {
    return summarize(JSON.stringify(value)).slice(0, 120);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The tool's result, under its own time limit when it has one. */
function withTimeout(ctx: RunContext, tool: AnyTool, input: unknown, call: ToolCall): unknown {
  const info = { id: call.id, name: call.name };
  return underLimit(ctx, tool.timeoutMs, `tool ${tool.name}`, (c) => tool.execute(input, c, info));
}

/**
 * `work`'s result; with a time limit, under a cancellation scope of its own that the limit aborts,
 * and a TimeoutError at the limit even when the work ignores its signal (its late outcome is dropped).
 */
function underLimit<T>(ctx: RunContext, ms: number | undefined, what: string, work: (ctx: RunContext) => T | Promise<T>): T | Promise<T> {
  if (ms === undefined) return work(ctx);
  const scope = ctx.cancel.child();
  const running = new Promise<T>((resolve) => resolve(work(ctx.with({ cancel: scope }))));
  return withDeadline(running, ms, what, (err) => scope.abort(err)).finally(() => scope.detach());
}

function summarize(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}… (${text.length} chars)` : text;
}
