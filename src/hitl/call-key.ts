/**
 * The journal key of the tool call a context runs ("/refund#1|t2"): the same
 * in every process that replays the run, so the approval gate can tie an
 * approval to the one call it authorises and recognise it as that call's own
 * after a crash. The durable journal sets it; the gate reads it here, so
 * hitl does not import durable.
 */
import type { RunContext } from '../core/context.js';

const CALL_KEY = Symbol('agent-patterns.durableCallKey');

/** A context for running the tool call recorded under `key`. */
export function withCallKey(ctx: RunContext, key: string): RunContext {
  const marked = ctx.with({});
  (marked as unknown as Record<symbol, string>)[CALL_KEY] = key;
  return marked;
}

/** The journal key of the tool call this context runs, or undefined outside a durable run. */
export function callKeyOf(ctx: RunContext): string | undefined {
  return (ctx as unknown as Record<symbol, string | undefined>)[CALL_KEY];
}
