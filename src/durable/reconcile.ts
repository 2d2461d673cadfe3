/**
 * An irreversible call that started but has no recorded outcome (the
 * process died between the side effect and its record) is never re-run
 * blindly. In order:
 *  1. the tool's reconciler (a lookup in the system of record by the call's
 *     idempotency key) says done (→ its result is the outcome) or not done
 *     (→ safe to run, the same idempotency key goes with it);
 *  2. without a reconciler, an effect the tool recorded with `recordEffect`
 *     under its idempotency key counts as done;
 *  3. otherwise a human decides: an approval "reconcile:<tool>" asks whether
 *     to run it again (approve) or treat it as possibly done (reject). The run
 *     suspends until then; with no approval gate the call is not repeated.
 */
import type { RunContext } from '../core/context.js';
import type { ToolOutcome } from '../core/tool.js';
import type { AnyTool, ApprovalPolicy } from '../core/tool.js';

export interface StartedCall {
  tool: string;
  callId: string;
  args: unknown;
  at: number;
  idempotencyKey?: string;
}

/** Looks the call up where its effect would be: done (with a result), not done, or unknown (undefined). */
export type Reconciler = (
  call: { args: unknown; idempotencyKey?: string; startedAt: number },
  ctx: RunContext,
) => Promise<{ done: true; result: unknown } | { done: false } | undefined>;

export const EFFECTS_NAMESPACE = 'effects';

/** Record a side effect as done under its idempotency key (best in the same transaction as the effect). */
export async function recordEffect(ctx: RunContext, idempotencyKey: string, result: unknown): Promise<void> {
  await ctx.store?.kvPut(EFFECTS_NAMESPACE, idempotencyKey, result ?? null);
}

/** An outcome when the call is settled without running it, or undefined when it may run (again). */
export async function reconcileStartedCall(
  ctx: RunContext,
  tool: AnyTool,
  started: StartedCall,
  reconciler: Reconciler | undefined,
): Promise<ToolOutcome | undefined> {
  const base = { callId: started.callId, tool: tool.name, args: started.args, durationMs: 0 };
  let verdict: Awaited<ReturnType<Reconciler>>;
  if (reconciler) {
    verdict = await reconciler({ args: started.args, startedAt: started.at, ...(started.idempotencyKey ? { idempotencyKey: started.idempotencyKey } : {}) }, ctx);
  } else if (started.idempotencyKey && ctx.store) {
    const effect = await ctx.store.kvGet(EFFECTS_NAMESPACE, started.idempotencyKey);
    verdict = effect !== undefined ? { done: true, result: effect } : undefined;
  }
  ctx.tracer.event('decision', `reconcile:${tool.name}`, ctx.spanId, {
    callId: started.callId, idempotencyKey: started.idempotencyKey, verdict: verdict ? (verdict.done ? 'done' : 'not done') : 'unknown',
  });
  if (verdict?.done) {
    const content = typeof verdict.result === 'string' ? verdict.result : JSON.stringify(verdict.result ?? null);
    return { ...base, ok: true, result: verdict.result, content };
  }
  if (verdict && !verdict.done) return undefined;

  const refuse = (why: string): ToolOutcome => {
    const message = `${tool.name} may already have taken effect (the run stopped mid-call) and was not repeated: ${why}`;
    return { ...base, ok: false, result: message, content: `Error: ${message}` };
  };
  if (!ctx.approvals) return refuse('no reviewer is available to confirm it');
  const own: ApprovalPolicy<unknown> = tool.approval && tool.approval !== true ? (tool.approval as ApprovalPolicy<unknown>) : {};
  const policy: ApprovalPolicy<unknown> = {
    ...(own.reviewer ? { reviewer: typeof own.reviewer === 'function' ? own.reviewer(started.args) : own.reviewer } : {}),
    summary: () =>
      `${tool.name} started at ${new Date(started.at).toISOString()} and no completion was recorded` +
      `${started.idempotencyKey ? ` (idempotency key ${started.idempotencyKey})` : ''}. ` +
      'Check the system of record: approve to run it again, reject if it already happened.',
  };
  const decision = await ctx.approvals.authorize(
    { tool: `reconcile:${tool.name}`, args: { args: started.args, idempotencyKey: started.idempotencyKey ?? null }, callId: started.callId, policy },
    ctx,
  );
  if (decision.approved) return undefined;
  return refuse(`${decision.reviewer ?? 'the reviewer'} chose not to repeat it${decision.comment ? ` (${decision.comment})` : ''}`);
}
