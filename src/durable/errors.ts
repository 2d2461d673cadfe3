/** Why a durable run cannot be resumed or replayed: typed, with the reason in the message. */
import { AgentPatternsError } from '../core/errors.js';

export type ResumeProblem =
  | 'RUN_NOT_FOUND'
  | 'RUN_ALREADY_COMPLETED'
  | 'RUN_IN_PROGRESS'
  | 'WORKFLOW_NOT_REGISTERED'
  | 'WORKFLOW_VERSION_CHANGED'
  | 'INPUT_CHANGED';

/** A resume that cannot proceed; `problem` says why. Never a silent no-op. */
export class ResumeError extends AgentPatternsError {
  readonly runId: string;
  readonly problem: ResumeProblem;
  constructor(runId: string, problem: ResumeProblem, message: string) {
    super(problem, `cannot resume run ${runId}: ${message}`);
    this.runId = runId;
    this.problem = problem;
  }
}

/**
 * Replay found a recorded operation that does not match what the code does
 * now (the workflow, its prompts or its tools changed since the run started).
 * Continuing would mix two different programs, so the run stops.
 */
export class ReplayDivergence extends AgentPatternsError {
  readonly key: string;
  constructor(key: string, detail: string) {
    super('REPLAY_DIVERGENCE', `replay diverged at ${key}: ${detail}`);
    this.key = key;
  }
}

/**
 * This process no longer holds the lease of the run it was executing: another process took the run
 * over (this one was paused or cut off for longer than the lease). The run stopped here and wrote nothing more.
 */
export class LeaseLost extends AgentPatternsError {
  constructor(
    readonly runId: string,
    readonly owner: string,
    why: string,
  ) {
    super('LEASE_LOST', `run ${runId}: lease of ${owner} lost (${why}); this process stopped running it`);
  }
}
