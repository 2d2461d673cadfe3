/** Writes the three reports (and each case's trace) into one folder. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalResult } from '../evaluate.js';
import { toHtml } from './html.js';
import { toMarkdown } from './markdown.js';
import type { EvalReport } from './summary.js';

export interface ReportFiles {
  json: string;
  markdown: string;
  html: string;
  traces: string;
}

export function writeReports(report: EvalReport, result: EvalResult, dir: string): ReportFiles {
  mkdirSync(dir, { recursive: true });
  const files: ReportFiles = { json: join(dir, 'report.json'), markdown: join(dir, 'report.md'), html: join(dir, 'report.html'), traces: join(dir, 'traces.jsonl') };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.markdown, toMarkdown(report));
  writeFileSync(files.html, toHtml(report));
  writeFileSync(files.traces, result.cases.map((c) => JSON.stringify({ case: c.id, runId: c.runId, trace: c.trace })).join('\n') + '\n');
  return files;
}
