/**
 * Executes one tool call the model asked for. Whatever goes wrong with the
 * call itself (unknown tool, malformed JSON, schema mismatch, a guard that
 * says no, an exception, a timeout) becomes a tool error the model sees on
 * its next turn. Only run-level stops (budget, abort, suspension) propagate.
 */
import type { RunContext } from './context.js';
import { errorMessage, isFatal } from './errors.js';
import { withDeadline } from './deadline.js';
import type { ToolCall } from './messages.js';
import { redact } from './redact.js';
import { formatIssues } from './schema.js';
import type { AnyTool, ApprovalPolicy, GuardResult } from './tool.js';
import type { ActiveSpan } from './tracer.js';

export interface ToolOutcome {
  callId: string;
  tool: string;
  /** Parsed arguments when they were valid JSON, else the raw text. */
  args: unknown;
  ok: boolean;
  /** The tool's return value (ok) or the error message (not ok). */
  result: unknown;
  /** What the model is shown. */
  content: string;
  durationMs: number;
}

function failure(call: ToolCall, args: unknown, message: string, t0: number): ToolOutcome {
  return { callId: call.id, tool: call.name, args, ok: false, result: message, content: `Error: ${message}`, durationMs: performance.now() - t0 };
}

function guardAllows(r: GuardResult): { allow: boolean; reason?: string } {
  return typeof r === 'boolean' ? { allow: r } : r;
}

export function runToolCall(ctx: RunContext, tools: ReadonlyMap<string, AnyTool>, call: ToolCall): Promise<ToolOutcome> {
  // Durable runs: replay a recorded outcome or record this one (src/durable/journal.ts).
  if (ctx.journal) return ctx.journal.runToolCall(ctx, tools, call);
  try {
    ctx.budget.chargeToolCall();
  } catch (err) {
    return Promise.reject(err);
  }
  const t0 = performance.now();
  // A copy: a span merges its end attributes into the ones it started with.
  const fixed = tools.get(call.name)?.traceAttributes;
  const span = ctx.tracer.start('tool', call.name, ctx.spanId, fixed && { ...fixed });
  let pending: ToolOutcome | Promise<ToolOutcome>;
  try {
    pending = execute(ctx, tools, call, t0);
  } catch (err) {
    return Promise.reject(failSpan(span, call, err));
  }
  // A synchronous tool settles here: no async frame and no extra tick per call.
  if (!(pending instanceof Promise)) return Promise.resolve(endSpan(span, call, pending));
  return pending.then(
    (outcome) => endSpan(span, call, outcome),
    (err: unknown) => {
      throw failSpan(span, call, err);
    },
  );
}

function endSpan(span: ActiveSpan, call: ToolCall, outcome: ToolOutcome): ToolOutcome {
  const args = redact(outcome.args);
  if (outcome.ok) {
    // The summary is text, which key redaction cannot see into: redact the value first.
    const safe = redact(outcome.result);
    span.end({ callId: call.id, args, result: summarize(safe === outcome.result ? outcome.content : JSON.stringify(safe)) }, undefined, true);
  } else {
    span.end({ callId: call.id, args }, { name: 'ToolError', message: String(outcome.result) }, true);
  }
  return outcome;
}

/** A run-level stop (budget, abort, suspension) ends the span as failed and goes on up. */
function failSpan(span: ActiveSpan, call: ToolCall, err: unknown): unknown {
  span.fail(err, { callId: call.id });
  return err;
}

/** The outcome, at once for a synchronous tool without guard or approval; a promise otherwise. */
function execute(ctx: RunContext, tools: ReadonlyMap<string, AnyTool>, call: ToolCall, t0: number): ToolOutcome | Promise<ToolOutcome> {
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

  // No guard and no approval: nothing to check, and nothing to wait for.
  if (!tool.guard && !tool.approval) return invoke(ctx, tool, input, call, t0);
  return checkGate(ctx, tool, input, call).then((refusal) => (refusal ? failure(call, input, refusal, t0) : invoke(ctx, tool, input, call, t0)));
}

function invoke(ctx: RunContext, tool: AnyTool, input: unknown, call: ToolCall, t0: number): ToolOutcome | Promise<ToolOutcome> {
  let pending: unknown;
  try {
    pending = withTimeout(ctx, tool, input, call);
  } catch (err) {
    return toolFailed(ctx, call, input, err, t0);
  }
  // A synchronous tool's value is used as is: no promise and no tick per call.
  if (!isThenable(pending)) return succeeded(ctx, call, input, pending, t0);
  return Promise.resolve(pending).then(
    (value) => succeeded(ctx, call, input, value, t0),
    (err: unknown) => toolFailed(ctx, call, input, err, t0),
  );
}

function succeeded(ctx: RunContext, call: ToolCall, input: unknown, value: unknown, t0: number): ToolOutcome {
  let content: string;
  try {
    content = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  } catch (err) {
    return toolFailed(ctx, call, input, err, t0);
  }
  return { callId: call.id, tool: call.name, args: input, ok: true, result: value, content, durationMs: performance.now() - t0 };
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
    const verdict = guardAllows(await tool.guard(input, ctx));
    ctx.tracer.event('decision', `guard:${tool.name}`, ctx.spanId, { callId: call.id, allow: verdict.allow, reason: verdict.reason });
    if (verdict.allow) return undefined;
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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** The tool's result: its value or promise as returned, or with a time limit, a promise. */
function withTimeout(ctx: RunContext, tool: AnyTool, input: unknown, call: ToolCall): unknown {
  const info = { id: call.id, name: call.name };
  if (tool.timeoutMs === undefined) return tool.execute(input, ctx, info);
  // The call under its own cancellation scope, so the time limit cancels this call alone.
  const { ctx: callCtx, scope } = ctx.withCancelScope();
  let work: Promise<unknown>;
  try {
    work = withDeadline(tool.execute(input, callCtx, info), tool.timeoutMs, `tool ${tool.name}`, (err) => scope.abort(err));
  } catch (err) {
    scope.detach();
    throw err;
  }
  const detach = () => scope.detach();
  work.then(detach, detach);
  return work;
}

function summarize(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}… (${text.length} chars)` : text;
}
