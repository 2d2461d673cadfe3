/**
 * An LLM judge: a model reads the case's input, the output and a rubric, and
 * returns a structured verdict (score 0–1 and a reason). It runs as a run of
 * its own with its own budget, so its cost is counted and reported apart from
 * the cost of the step under evaluation.
 */
import { z } from 'zod';
import type { BudgetLimits } from '../core/budget.js';
import { errorMessage } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { run } from '../core/run.js';
import { prompt } from '../patterns/prompt.js';
import { defineScorer, type Scorer } from './scorer.js';

export const JUDGE_INSTRUCTIONS =
  'You are an evaluation judge. Grade the OUTPUT against the RUBRIC only, not against your own preferences. ' +
  'Give a score from 0 (fails the rubric) to 1 (fully meets it) and a one-sentence reason that cites the output.';

export const verdictSchema = z.object({
  score: z.number().min(0).max(1),
  reason: z.string().min(1),
});

export type Verdict = z.infer<typeof verdictSchema>;

export interface JudgeOptions {
  model: Model;
  /** Pass when the score is at least this (an expectation may set its own). Default 0.7. */
  threshold?: number;
  /** Caps for each verdict. Default: 2 model turns, $0.05. */
  budget?: BudgetLimits;
}

export interface JudgeRequest {
  rubric: string;
  input: unknown;
  output: string;
}

/** The `judge` scorer: `{ "type": "judge", "rubric": "…", "threshold": 0.8 }` in a dataset. */
export function llmJudge(options: JudgeOptions): Scorer {
  const judge = prompt<JudgeRequest, Verdict>({
    name: 'llm-judge',
    model: options.model,
    instructions: JUDGE_INSTRUCTIONS,
    output: verdictSchema,
    input: (r) => `RUBRIC:\n${r.rubric}\n\nINPUT:\n${typeof r.input === 'string' ? r.input : JSON.stringify(r.input)}\n\nOUTPUT:\n${r.output}`,
  });
  const budget = options.budget ?? { maxModelTurns: 2, maxCostUsd: 0.05 };
  return defineScorer('judge', async (caseRun, e) => {
    const threshold = e.threshold ?? options.threshold ?? 0.7;
    try {
      const verdict = await run(judge, { rubric: e.rubric, input: caseRun.case.input, output: caseRun.text }, { budget });
      const { score, reason } = verdict.output;
      return { pass: score >= threshold, score, reason: `judge ${score.toFixed(2)} (pass at ${threshold}): ${reason}`, costUsd: verdict.usage.costUsd };
    } catch (err) {
      const cost = (err as { usage?: { costUsd?: number } }).usage?.costUsd;
      return { pass: false, reason: `the judge failed: ${errorMessage(err)}`, ...(cost !== undefined ? { costUsd: cost } : {}) };
    }
  }, z.strictObject({ rubric: z.string().min(1), threshold: z.number().min(0).max(1).optional() }));
}
