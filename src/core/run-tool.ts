/**
 * Executes one tool call the model asked for. Whatever goes wrong with the
 * call itself (unknown tool, malformed JSON, schema mismatch, a guard that
 * says no, an exception, a timeout) becomes a tool error the model sees on
 * its next turn. Only run-level stops (budget, abort, suspension) propagate.
 */
import type { RunContext } from './context.js';
import { asAbortError } from './context.js';
import { errorMessage, isFatal } from './errors.js';
import { withDeadline } from './deadline.js';
import type { ToolCall } from './messages.js';
import { redact } from './redact.js';
import { formatIssues } from './schema.js';
import type { AnyTool, ApprovalPolicy, GuardResult } from './tool.js';

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

export async function runToolCall(ctx: RunContext, tools: ReadonlyMap<string, AnyTool>, call: ToolCall): Promise<ToolOutcome> {
  // Durable runs: replay a recorded outcome or record this one (src/durable/journal.ts).
  if (ctx.journal) return ctx.journal.runToolCall(ctx, tools, call);
  ctx.budget.chargeToolCall();
  const t0 = performance.now();
  const span = ctx.tracer.start('tool', call.name, ctx.spanId, { callId: call.id });
  let outcome: ToolOutcome;
  try {
    outcome = await execute(ctx, tools, call, t0);
  } catch (err) {
    span.fail(err);
    throw err;
  }
  span.set('args', outcome.args);
  if (outcome.ok) {
    // The summary is text, which key redaction cannot see into: redact the value first.
    const safe = redact(outcome.result);
    span.end({ result: summarize(safe === outcome.result ? outcome.content : JSON.stringify(safe)) });
  }
  else {
    span.record.status = 'error';
    span.record.error = { name: 'ToolError', message: String(outcome.result) };
    span.end();
  }
  return outcome;
}

async function execute(ctx: RunContext, tools: ReadonlyMap<string, AnyTool>, call: ToolCall, t0: number): Promise<ToolOutcome> {
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

  // No guard and no approval: nothing to check, and no await (a tick per call) either.
  const gate = tool.guard || tool.approval ? await checkGate(ctx, tool, input, call) : undefined;
  if (gate) return failure(call, input, gate, t0);

  try {
    const pending = withTimeout(ctx, tool, input, call);
    // A synchronous tool's value is used as is: no promise and no tick per call.
    const value = isThenable(pending) ? await pending : pending;
    const content = typeof value === 'string' ? value : JSON.stringify(value ?? null);
    return { callId: call.id, tool: call.name, args: input, ok: true, result: value, content, durationMs: performance.now() - t0 };
  } catch (err) {
    if (isFatal(err)) throw err;
    if (ctx.aborted) throw asAbortError(ctx.signal.reason);
    return failure(call, input, `${call.name} failed: ${errorMessage(err)}`, t0);
  }
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
  const ac = new AbortController();
  const signal = AbortSignal.any([ctx.signal, ac.signal]);
  return withDeadline(tool.execute(input, ctx.withSignal(signal), info), tool.timeoutMs, `tool ${tool.name}`, (err) => ac.abort(err));
}

function summarize(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}… (${text.length} chars)` : text;
}
