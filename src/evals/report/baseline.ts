/**
 * The CI gate: a report compared with an earlier one. A case that passed in
 * the baseline and fails now is a regression; a failing case the baseline
 * does not know is a new failure. Either fails the gate; cases that were
 * already failing in the baseline are known failures, shown but not blocking.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.js';
import type { EvalReport } from './summary.js';

export function readBaseline(path: string): EvalReport {
  let parsed: Partial<EvalReport>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<EvalReport>;
  } catch (err) {
    throw new ConfigError('baseline', `cannot read ${path} as a JSON report (${(err as Error).message})`);
  }
  if (parsed.report !== 'agent-patterns-eval' || !Array.isArray(parsed.cases)) {
    throw new ConfigError('baseline', `${path} is not a report written by \`agent-patterns eval\` (report.json)`);
  }
  return parsed as EvalReport;
}

/** Marks each case's change against `baseline` and records the lists on the report (which it returns). */
export function compareWithBaseline(report: EvalReport, baseline: EvalReport, file: string): EvalReport {
  const before = new Map(baseline.cases.map((c) => [c.id, c.pass]));
  const regressions: string[] = [];
  const improvements: string[] = [];
  const newFailures: string[] = [];
  for (const c of report.cases) {
    const was = before.get(c.id);
    if (was === undefined) {
      c.change = 'new';
      if (!c.pass) newFailures.push(c.id);
    } else if (was && !c.pass) {
      c.change = 'regression';
      regressions.push(c.id);
    } else if (!was && c.pass) {
      c.change = 'improvement';
      improvements.push(c.id);
    }
  }
  const now = new Set(report.cases.map((c) => c.id));
  const missing = baseline.cases.map((c) => c.id).filter((id) => !now.has(id));
  report.baseline = { file, regressions, improvements, newFailures, missing };
  return report;
}

/** Whether the gate holds: with a baseline, no regression and no new failure; without one, every case passes. */
export function gatePasses(report: EvalReport): boolean {
  if (report.baseline) return report.baseline.regressions.length === 0 && report.baseline.newFailures.length === 0;
  return report.totals.failed === 0;
}
