/** agent-patterns/evals — datasets of failure cases, scorers, an LLM judge, record/replay, reports and a CI gate. */
export { loadDataset, parseDataset, DatasetError, type EvalCase, type Expectation } from './dataset.js';
export { textOf, type CaseRun } from './case-run.js';
export { defineScorer, type Scorer, type ScoreResult } from './scorer.js';
export { BUILTIN_SCORERS } from './scorers.js';
export { llmJudge, verdictSchema, JUDGE_INSTRUCTIONS, type JudgeOptions, type Verdict } from './judge.js';
export { recordModel, replayModel, CassetteMismatch } from './cassette.js';
export { evaluate, type EvaluateOptions, type EvalResult, type CaseResult, type ExpectationResult, type RunCase, type Scorers } from './evaluate.js';
export { buildReport, percentile, type EvalReport, type CaseReport, type ReportMeta } from './report/summary.js';
export { compareWithBaseline, readBaseline, gatePasses } from './report/baseline.js';
export { toMarkdown } from './report/markdown.js';
export { toHtml } from './report/html.js';
export { writeReports, type ReportFiles } from './report/write.js';
