/**
 * Where in a durable run a context is: the step path of its journal scope
 * ("/triage#1/refund-branch#1", occurrences numbered, unlike `ctx.path`).
 * Approvals record it, so a suspended run shows which agent/step was active.
 */
import type { RunContext } from '../core/context.js';
import { DurableJournal } from './journal.js';

/** The step path of this context in its durable run (its journal scope's), or undefined outside one. */
export function activePathOf(ctx: RunContext): string | undefined {
  for (const interceptor of ctx.interceptors) if (interceptor instanceof DurableJournal) return interceptor.path;
  return undefined;
}

/** The innermost step name of a path: "/a#1/refund-agent#2" → "refund-agent". */
export function activeStepName(path: string | undefined, fallback: string): string {
  if (!path) return fallback;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last.replace(/#\d+$/, '') || fallback;
}
