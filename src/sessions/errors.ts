/** Typed errors of sessions and context management. Callers branch on `code`. */
import { AgentPatternsError } from '../core/errors.js';

/**
 * Another run is writing this session: the store's version check refused this run (at the start,
 * after waiting as long as allowed), or this run's lease lapsed and another run took the session.
 */
export class SessionBusy extends AgentPatternsError {
  constructor(
    readonly sessionId: string,
    readonly holder: string | undefined,
    reason: 'held' | 'lost' = 'held',
  ) {
    super(
      'SESSION_BUSY',
      reason === 'held'
        ? `session "${sessionId}" is in use by run ${holder ?? '(unknown)'}; try again when it finishes`
        : `session "${sessionId}" was taken by another run after this run's lease lapsed; this turn was not saved`,
    );
  }
}

/** The request does not fit: the model's context window, or a token budget, even after the policy shaped it. Thrown before sending. */
export class ContextTooLarge extends AgentPatternsError {
  constructor(
    /** What was exceeded: "context window of gpt-4o" or "tokenBudget". */
    readonly limitName: string,
    readonly limit: number,
    /** The request's tokens (input plus the reserved output tokens, for a context window). */
    readonly tokens: number,
  ) {
    super('CONTEXT_TOO_LARGE', `the request needs ${tokens} tokens but the ${limitName} is ${limit}, after the context policy shaped it`);
  }
}
