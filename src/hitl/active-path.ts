/**
 * Where in a run a context is: the step path of its durable journal scope
 * ("/triage#1/refund-branch#1"). Approvals record it, so a suspended run
 * shows which agent/step was active.
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

/** The innermost step name of a path: "/a#1/refund-agent#2" → "refund-agent". */
export function activeStepName(path: string | undefined, fallback: string): string {
  if (!path) return fallback;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.replace(/#\d+$/, '') || fallback;
}
