/**
 * Where in a durable run a context is: the step path of its journal scope
 * ("/triage#1/refund-branch#1"), and the key of the tool call it runs.
 * Approvals record them, so a suspended run shows which agent/step was
 * active and an approval is tied to the one call it authorises.
 */
import type { RunContext } from '../core/context.js';

const ACTIVE_PATH = Symbol('agent-patterns.activePath');

export function withActivePath(ctx: RunContext, path: string): void {
  (ctx as unknown as Record<symbol, string>)[ACTIVE_PATH] = path;
}

/** The step path of this context in its durable run, or undefined outside one. */
export function activePathOf(ctx: RunContext): string | undefined {
  return (ctx as unknown as Record<symbol, string | undefined>)[ACTIVE_PATH];
}

const ACTIVE_CALL = Symbol('agent-patterns.activeCall');

/** Marks a context as running the tool call recorded under `key` in its durable run. */
export function withActiveCall(ctx: RunContext, key: string): void {
  (ctx as unknown as Record<symbol, string>)[ACTIVE_CALL] = key;
}

/**
 * The journal key of the tool call this context runs ("/refund#1|t2"): the same in every process
 * that replays the run, so an approval used by this call is recognised as its own after a crash.
 */
export function activeCallOf(ctx: RunContext): string | undefined {
  return (ctx as unknown as Record<symbol, string | undefined>)[ACTIVE_CALL];
}

/** The innermost step name of a path: "/a#1/refund-agent#2" → "refund-agent". */
export function activeStepName(path: string | undefined, fallback: string): string {
  if (!path) return fallback;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.replace(/#\d+$/, '') || fallback;
}
