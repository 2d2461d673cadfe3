/**
 * The report of an evaluation as data: per case the verdict and the failing
 * expectations, totals by tag, cost (the runs' and the judge's apart) and
 * latency percentiles. The JSON file is this object; Markdown and HTML are
 * views of it, and a later run compares itself against it (`--baseline`).
 */
import type { BudgetUsage } from '../../core/budget.js';
import type { EvalResult } from '../evaluate.js';

export interface CaseReport {
  id: string;
  tags: string[];
  pass: boolean;
  score: number;
  input: unknown;
  text: string;
  failed: { type: string; reason: string }[];
  expectations: { type: string; pass: boolean; reason: string; score?: number }[];
  usage: BudgetUsage | undefined;
  costUsd: number;
  judgeCostUsd: number;
  durationMs: number;
  runId: string | undefined;
  /** Where to read the case's trace: the studio's page of the run, when the runs were stored. */
  traceUrl?: string;
  error?: { name: string; code?: string; message: string };
  /** Against the baseline: 'regression' (passed there, fails here), 'improvement', 'new' (not in the baseline). */
  change?: 'regression' | 'improvement' | 'new';
}

export interface TagTotals {
  cases: number;
  passed: number;
}

export interface EvalReport {
  report: 'agent-patterns-eval';
  version: 1;
  name: string;
  dataset: string;
  /** The model the runs used ("scripted" when offline) and how: live, recorded or replayed. */
  model: string;
  startedAt: string;
  durationMs: number;
  totals: { cases: number; passed: number; failed: number; passRate: number };
  byTag: Record<string, TagTotals>;
  cost: { runsUsd: number; judgeUsd: number };
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  cases: CaseReport[];
  baseline?: { file: string; regressions: string[]; improvements: string[]; newFailures: string[]; missing: string[] };
}

export interface ReportMeta {
  dataset: string;
  model: string;
  /** Base address of the studio, for links to each case's run. */
  studioUrl?: string;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function buildReport(result: EvalResult, meta: ReportMeta): EvalReport {
  const cases: CaseReport[] = result.cases.map((c) => ({
    id: c.id,
    tags: c.tags,
    pass: c.pass,
    score: c.score,
    input: c.input,
    text: c.text,
    failed: c.expectations.filter((e) => !e.pass).map((e) => ({ type: e.type, reason: e.reason })),
    expectations: c.expectations.map((e) => ({ type: e.type, pass: e.pass, reason: e.reason, ...(e.score !== undefined ? { score: e.score } : {}) })),
    usage: c.usage,
    costUsd: c.usage?.costUsd ?? 0,
    judgeCostUsd: c.judgeCostUsd,
    durationMs: round(c.durationMs),
    runId: c.runId,
    ...(meta.studioUrl && c.runId ? { traceUrl: `${meta.studioUrl.replace(/\/$/, '')}/#/runs/${encodeURIComponent(c.runId)}` } : {}),
    ...(c.error ? { error: c.error } : {}),
  }));
  const byTag: Record<string, TagTotals> = {};
  for (const c of cases) {
    for (const tag of c.tags.length ? c.tags : ['(untagged)']) {
      const t = (byTag[tag] ??= { cases: 0, passed: 0 });
      t.cases++;
      if (c.pass) t.passed++;
    }
  }
  const latencies = cases.map((c) => c.durationMs).sort((a, b) => a - b);
  const passed = cases.filter((c) => c.pass).length;
  return {
    report: 'agent-patterns-eval',
    version: 1,
    name: result.name,
    dataset: meta.dataset,
    model: meta.model,
    startedAt: result.startedAt,
    durationMs: round(result.durationMs),
    totals: { cases: cases.length, passed, failed: cases.length - passed, passRate: cases.length ? passed / cases.length : 0 },
    byTag,
    cost: { runsUsd: sum(cases.map((c) => c.costUsd)), judgeUsd: sum(cases.map((c) => c.judgeCostUsd)) },
    latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
    cases,
  };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
