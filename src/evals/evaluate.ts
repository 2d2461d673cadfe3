/**
 * evaluate(): runs a Step (or any function that makes a run) over every case
 * of a dataset with bounded concurrency, one budget per case, and scores each
 * case's run against its expectations. A case whose run fails is scored, not
 * dropped: its error and partial trace are what the scorers see.
 */
import type { BudgetLimits, BudgetUsage } from '../core/budget.js';
import { ConfigError, RunFailed, errorMessage, isAgentPatternsError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { SpanRecord } from '../core/span.js';
import { run, type RunOptions, type RunResult } from '../core/run.js';
import type { Step } from '../core/step.js';
import { mapLimit } from '../patterns/map-limit.js';
import { textOf, type CaseRun } from './case-run.js';
import { loadDataset, type EvalCase, type Expectation } from './dataset.js';
import { llmJudge } from './judge.js';
import type { Scorer, ScoreResult } from './scorer.js';
import { BUILTIN_SCORERS } from './scorers.js';

/** Makes one run of the thing under evaluation: how an example (which builds its own run) is evaluated. */
export type RunCase = (input: unknown, options: RunOptions & { model?: Model }) => Promise<RunResult<unknown>>;

export interface EvaluateOptions {
  /** The evaluation's name in reports (default: the step's name). */
  name?: string;
  /** Cases in flight at once. Default 4. */
  concurrency?: number;
  /** Handed to a RunCase target (an example runs every agent on it); a Step brings its own models. */
  model?: Model;
  /** The model of the `judge` scorer (an LLM judge), when the dataset uses it. */
  judge?: Model;
  /** Each case's budget when the case sets none. */
  budget?: BudgetLimits;
  /** Run options for every case (a store, trace sinks, metadata). */
  runOptions?: Omit<RunOptions, 'budget' | 'runId'>;
  /** Told after each case (progress). */
  onCase?: (result: CaseResult, done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ExpectationResult extends ScoreResult {
  type: string;
  expectation: Expectation;
}

export interface CaseResult {
  id: string;
  tags: string[];
  input: unknown;
  pass: boolean;
  /** Share of the case's expectations met, 0–1. */
  score: number;
  text: string;
  output: unknown;
  expectations: ExpectationResult[];
  usage: BudgetUsage | undefined;
  durationMs: number;
  runId: string | undefined;
  error?: { name: string; code?: string; message: string };
  /** What the LLM judge cost for this case (not in `usage`). */
  judgeCostUsd: number;
  trace: readonly SpanRecord[];
}

export interface EvalResult {
  name: string;
  startedAt: string;
  durationMs: number;
  cases: CaseResult[];
}

/** Scorers beside (or instead of) the built-in ones, found by the `type` expectations use. */
export type Scorers = readonly Scorer[] | Readonly<Record<string, Scorer>>;

/**
 * Evaluates `target` on a dataset (its cases, or the path of a JSONL file), with the built-in scorers and
 * `scorers`. Expectations are checked against the scorers before any case runs.
 */
export async function evaluate(
  target: Step<any, any> | RunCase,
  dataset: readonly EvalCase[] | string,
  scorers: Scorers = [],
  options: EvaluateOptions = {},
): Promise<EvalResult> {
  const cases = typeof dataset === 'string' ? loadDataset(dataset) : dataset;
  const table = scorerTable(scorers, options.judge);
  checkExpectations(cases, table);
  const runCase: RunCase = typeof target === 'function' ? target : (input, o) => run(target, input, o);
  const name = options.name ?? (typeof target === 'function' ? target.name || 'evaluation' : target.name);
  const started = Date.now();
  const t0 = performance.now();
  let done = 0;
  const results = await mapLimit(cases, options.concurrency ?? 4, async (c) => {
    const result = await evaluateCase(runCase, c, table, options);
    options.onCase?.(result, ++done, cases.length);
    return result;
  }, options.signal ? { signal: options.signal } : {});
  return { name, startedAt: new Date(started).toISOString(), durationMs: performance.now() - t0, cases: results };
}

function scorerTable(extra: Scorers, judge: Model | undefined): Record<string, Scorer> {
  const table: Record<string, Scorer> = { ...BUILTIN_SCORERS };
  if (judge) table.judge = llmJudge({ model: judge });
  for (const s of Array.isArray(extra) ? extra : Object.values(extra)) table[s.name] = s;
  return table;
}

function checkExpectations(cases: readonly EvalCase[], scorers: Record<string, Scorer>): void {
  for (const c of cases) {
    c.expect.forEach((e, i) => {
      const field = `case ${c.id}: expect[${i}]`;
      const scorer = scorers[e.type];
      if (!scorer) {
        const hint = e.type === 'judge' ? ' (the LLM judge needs a judge model: evaluate(step, cases, [], { judge }) or --judge-model)' : '';
        throw new ConfigError(`${field}.type`, `no scorer "${e.type}"${hint}; known: ${Object.keys(scorers).join(', ')}`);
      }
      if (!scorer.params) return;
      const { type: _type, ...params } = e;
      const parsed = scorer.params.safeParse(params);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ConfigError(`${field}${issue.path.length ? `.${issue.path.join('.')}` : ''}`, `${e.type}: ${issue.message}`);
      }
    });
  }
}

async function evaluateCase(runCase: RunCase, c: EvalCase, scorers: Record<string, Scorer>, options: EvaluateOptions): Promise<CaseResult> {
  const budget = c.budget ?? options.budget;
  const runOptions = { ...options.runOptions, ...(budget ? { budget } : {}), ...(options.model ? { model: options.model } : {}) };
  const t0 = performance.now();
  let caseRun: CaseRun;
  try {
    const result = await runCase(c.input, runOptions);
    caseRun = { case: c, output: result.output, text: textOf(result.output), trace: result.trace, usage: result.usage, durationMs: performance.now() - t0, runId: result.runId };
    // A run waiting for a human has no output: scorers see it as stopped by a suspension.
    if (result.status === 'suspended') caseRun.error = { name: 'RunSuspended', code: 'RUN_SUSPENDED', message: `run suspended, waiting for: ${result.pending.join(', ')}` };
  } catch (err) {
    const e = err as { name?: string; code?: string; trace?: SpanRecord[]; usage?: BudgetUsage; runId?: string };
    // A step's own error comes wrapped (RunFailed, with the run's trace): the scorers judge the error itself.
    const what = (isAgentPatternsError(err, RunFailed) ? err.cause : err) as { name?: string; code?: string } | undefined;
    caseRun = {
      case: c, output: undefined, text: '', trace: e.trace ?? [], usage: e.usage, durationMs: performance.now() - t0, runId: e.runId,
      error: { name: what?.name ?? 'Error', ...(typeof what?.code === 'string' ? { code: what.code } : {}), message: errorMessage(what) },
    };
  }
  const expectations: ExpectationResult[] = [];
  for (const e of c.expect) {
    let r: ScoreResult;
    try {
      r = await scorers[e.type]!.score(caseRun, e);
    } catch (err) {
      r = { pass: false, reason: `the ${e.type} scorer failed: ${errorMessage(err)}` };
    }
    expectations.push({ type: e.type, expectation: e, ...r });
  }
  const passed = expectations.filter((x) => x.pass).length;
  return {
    id: c.id,
    tags: c.tags ?? [],
    input: c.input,
    pass: passed === expectations.length,
    score: passed / expectations.length,
    text: caseRun.text,
    output: caseRun.output,
    expectations,
    usage: caseRun.usage,
    durationMs: caseRun.durationMs,
    runId: caseRun.runId,
    ...(caseRun.error ? { error: caseRun.error } : {}),
    judgeCostUsd: expectations.reduce((sum, x) => sum + (x.costUsd ?? 0), 0),
    trace: caseRun.trace,
  };
}
