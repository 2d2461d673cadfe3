/**
 * Where in a durable run a context is: the step path of its journal scope
 * ("/triage#1/refund-branch#1", occurrences numbered, unlike `ctx.path`).
 * Approvals record it, so a suspended run shows which agent/step was active.
 *
 * The durable journal (an interceptor) exposes its path under ACTIVE_PATH; the
 * approval gate reads it here without importing src/durable, so the feature
 * layer's arrow stays one way (durable → hitl).
 */
import type { RunContext } from '../core/context.js';

export const ACTIVE_PATH = Symbol.for('agent-patterns.activePath');

/** An interceptor that knows the durable step path of the calls it wraps. */
export interface ActivePathSource {
  readonly [ACTIVE_PATH]: string;
}

/** The step path of this context in its durable run (its journal scope's), or undefined outside one. */
export function activePathOf(ctx: RunContext): string | undefined {
  for (const interceptor of ctx.interceptors) {
    const path = (interceptor as Partial<ActivePathSource>)[ACTIVE_PATH];
    if (path !== undefined) return path;
  }
  return undefined;
}

/** The innermost step name of a path: "/a#1/refund-agent#2" → "refund-agent". */
export function activeStepName(path: string | undefined, fallback: string): string {
  if (!path) return fallback;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.replace(/#\d+$/, '') || fallback;
}
