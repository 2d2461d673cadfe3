/**
 * Pattern 6 — iterative refinement. A generator drafts, a scorer grades the
 * draft on a numeric scale, and the generator revises with the scorer's
 * feedback until the score reaches the threshold or the rounds run out.
 * Every round's score is kept (the history), and the best draft so far is
 * the answer when the rounds — or the run's budget — run out: a budget stop
 * inside refine returns what it has, with the budget event in the trace.
 */
import { describeStep } from '../core/shape.js';
import type { RunContext } from '../core/context.js';
import { BudgetExceeded, ConfigError, OutputValidationError, isAgentPatternsError } from '../core/errors.js';
import type { Step } from '../core/step.js';
import { runStep } from '../core/run-step.js';

/** What the generator receives each round. */
export interface RefineRequest<I, O> {
  task: I;
  /** 1-based round number. */
  round: number;
  /** The previous round's draft with its score and feedback (absent in round 1). */
  previous?: RefineAttempt<O>;
  /** The best-scoring draft so far (absent in round 1). */
  best?: RefineAttempt<O>;
}

/** What the scorer receives. */
export interface ScoreRequest<I, O> {
  task: I;
  output: O;
  round: number;
}

/** A scorer's verdict: a number on the scorer's own scale (e.g. 0–10) and what to improve. */
export interface Score {
  score: number;
  feedback?: string;
}

export interface RefineAttempt<O> {
  round: number;
  output: O;
  score: number;
  feedback: string;
}

export type RefineStopReason = 'threshold' | 'max_rounds' | 'budget';

export interface RefineResult<O> {
  /** The best-scoring draft (the last one that passed, when one passed). */
  best: O;
  bestScore: number;
  bestRound: number;
  passed: boolean;
  stopReason: RefineStopReason;
  /** Every scored round in order: the score history. */
  history: RefineAttempt<O>[];
  threshold: number;
  /** Set when stopReason is 'budget': which cap stopped the refinement. */
  budgetLimit?: string;
}

export interface RefineOptions {
  /** A draft passes when its score is >= threshold. */
  threshold: number;
  /** Rounds of generate + score (default 3). */
  maxRounds?: number;
  name?: string;
}

export function refine<I, O>(
  generator: Step<RefineRequest<I, O>, O>,
  scorer: Step<ScoreRequest<I, O>, Score>,
  options: RefineOptions,
): Step<I, RefineResult<O>> {
  const { threshold } = options;
  const maxRounds = options.maxRounds ?? 3;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw new ConfigError('refine.threshold', 'must be a finite number');
  if (!Number.isInteger(maxRounds) || maxRounds < 1) throw new ConfigError('refine.maxRounds', 'must be an integer >= 1');

  return {
    name: options.name ?? 'refine',
    describe: () => ({ kind: 'refine', name: options.name ?? 'refine', children: [describeStep(generator, 'generator'), describeStep(scorer, 'scorer')] }),
    async run(task: I, ctx: RunContext): Promise<RefineResult<O>> {
      const history: RefineAttempt<O>[] = [];
      let best: RefineAttempt<O> | undefined;
      const result = (stopReason: RefineStopReason, extra: Partial<RefineResult<O>> = {}): RefineResult<O> => ({
        best: best!.output,
        bestScore: best!.score,
        bestRound: best!.round,
        passed: best!.score >= threshold,
        stopReason,
        history,
        threshold,
        ...extra,
      });

      for (let round = 1; round <= maxRounds; round++) {
        try {
          const request: RefineRequest<I, O> = { task, round };
          const previous = history[history.length - 1];
          if (previous) request.previous = previous;
          if (best) request.best = best;
          const output = await runStep(ctx, generator, request, { round });
          const verdict = await runStep(ctx, scorer, { task, output, round }, { round });
          const score = verdict?.score;
          if (typeof score !== 'number' || !Number.isFinite(score)) {
            throw new OutputValidationError(`scorer "${scorer.name}" returned no finite score`, JSON.stringify(verdict ?? null));
          }
          const attempt: RefineAttempt<O> = { round, output, score, feedback: verdict.feedback ?? '' };
          history.push(attempt);
          // Ties keep the later draft: it has seen more feedback.
          if (!best || score >= best.score) best = attempt;
          const passed = score >= threshold;
          ctx.tracer.event('decision', 'refine:score', ctx.spanId, { round, score, threshold, passed });
          if (passed) return result('threshold');
        } catch (err) {
          // Out of budget with a scored draft in hand: return it instead of losing the work.
          if (isAgentPatternsError(err, BudgetExceeded) && best) {
            ctx.tracer.event('budget', err.limit, ctx.spanId, { max: err.max, used: err.used, handledBy: 'refine', returned: 'best-so-far', bestRound: best.round });
            return result('budget', { budgetLimit: err.limit });
          }
          throw err;
        }
      }
      return result('max_rounds');
    },
  };
}
