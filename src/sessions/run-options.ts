/**
 * The run options of sessions and context policies, and the run extension
 * that turns them into interceptors. Importing this module (the package's
 * root entry does) is what makes `run(agent, input, { session, owner, context })`
 * work; the options are plain RunOptions fields, so every entry point that
 * takes RunOptions passes them on.
 */
import type { Interceptor } from '../core/interceptor.js';
import { addRunExtension, type RunOptions } from '../core/run.js';
import { ContextInterceptor, inMemoryMemos } from './context-interceptor.js';
import type { ContextPolicy } from './policy.js';
import { SessionInterceptor } from './session.js';

declare module '../core/run.js' {
  interface RunOptions {
    /** Continue this conversation: its history (from `store`) goes before the input, each turn is saved as it completes. */
    session?: string;
    /** Who the session belongs to (a user or tenant id); required with `session`. Another owner cannot read it. */
    owner?: string;
    /** When another run holds the session: 'fail' (default) with SessionBusy, or wait up to `waitMs`. */
    sessionBusy?: 'fail' | { waitMs: number };
    /** How long a claim on the session holds without a save (default 120 s); a killed run's claim lapses after it. */
    sessionLeaseMs?: number;
    /** Shapes every model request of the run: `lastMessages(n)`, `tokenBudget(max)`, `summarize({...})`. */
    context?: ContextPolicy;
  }
}

export function sessionExtension(options: RunOptions): readonly Interceptor[] | undefined {
  if (options.session === undefined && options.context === undefined) return undefined;
  if (options.session === undefined) return [new ContextInterceptor(options.context!)];
  const session = new SessionInterceptor({
    store: options.store,
    sessionId: options.session,
    owner: options.owner,
    busy: options.sessionBusy,
    leaseMs: options.sessionLeaseMs,
  });
  if (!options.context) return [session];
  const memos = inMemoryMemos();
  return [session, new ContextInterceptor(options.context, (call) => (session.owns(call) ? session.memo : memos(call)), [session])];
}

addRunExtension(sessionExtension);
