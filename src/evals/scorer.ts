/**
 * A scorer turns one expectation about one case into pass/fail with a
 * reason (and a 0–1 score where that means something). Writing one is a few
 * lines: `defineScorer('polite', (run) => ({ pass: !/stupid/i.test(run.text), reason: 'no insult' }))`.
 * A scorer may declare the parameters it takes; a dataset whose expectation
 * does not fit them is refused before any case runs.
 */
import type { z } from 'zod';
import type { CaseRun } from './case-run.js';
import type { Expectation } from './dataset.js';

export interface ScoreResult {
  pass: boolean;
  reason: string;
  score?: number;
  /** What scoring itself cost (an LLM judge), reported apart from the run's cost. */
  costUsd?: number;
}

export interface Scorer {
  readonly name: string;
  /** The expectation's parameters (besides `type`), checked when the dataset is loaded into evaluate(). */
  readonly params?: z.ZodType;
  score(run: CaseRun, expectation: Expectation): ScoreResult | Promise<ScoreResult>;
}

export function defineScorer<P extends z.ZodType>(
  name: string,
  score: (run: CaseRun, expectation: z.output<P> & Expectation) => ScoreResult | Promise<ScoreResult>,
  params?: P,
): Scorer {
  return { name, score: score as Scorer['score'], ...(params ? { params } : {}) };
}
