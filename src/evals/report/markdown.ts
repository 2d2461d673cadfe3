/** The report as Markdown: for a pull-request comment or a CI summary. */
import type { CaseReport, EvalReport } from './summary.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const usd = (n: number) => `$${n.toFixed(n < 0.01 ? 6 : 4)}`;

function mark(c: CaseReport): string {
  const verdict = c.pass ? 'pass' : '**FAIL**';
  return c.change === 'regression' ? `${verdict} (regression)` : c.change === 'improvement' ? `${verdict} (improved)` : c.change === 'new' ? `${verdict} (new)` : verdict;
}

export function toMarkdown(report: EvalReport): string {
  const t = report.totals;
  const lines = [
    `# Evaluation: ${report.name}`,
    '',
    `Dataset \`${report.dataset}\` · model ${report.model} · ${report.startedAt}`,
    '',
    `**${t.passed}/${t.cases} passed** (${(t.passRate * 100).toFixed(1)} %) · run cost ${usd(report.cost.runsUsd)} · judge cost ${usd(report.cost.judgeUsd)} · latency p50 ${report.latencyMs.p50} ms, p90 ${report.latencyMs.p90} ms, p99 ${report.latencyMs.p99} ms`,
    '',
  ];
  const b = report.baseline;
  if (b) {
    lines.push(
      `Against baseline \`${b.file}\`: ${b.regressions.length} regression(s)${b.regressions.length ? ` (${b.regressions.join(', ')})` : ''}, ` +
        `${b.newFailures.length} new failure(s)${b.newFailures.length ? ` (${b.newFailures.join(', ')})` : ''}, ` +
        `${b.improvements.length} improvement(s)${b.improvements.length ? ` (${b.improvements.join(', ')})` : ''}` +
        `${b.missing.length ? `, ${b.missing.length} case(s) no longer in the dataset` : ''}.`,
      '',
    );
  }
  lines.push('## By tag', '', '| tag | passed | cases |', '|---|---|---|');
  for (const [tag, v] of Object.entries(report.byTag).sort()) lines.push(`| ${cell(tag)} | ${v.passed} | ${v.cases} |`);
  lines.push('', '## Cases', '', '| case | verdict | failing expectation | cost | ms | trace |', '|---|---|---|---|---|---|');
  for (const c of report.cases) {
    const failing = c.failed.map((f) => `${f.type}: ${f.reason}`).join('; ') || (c.error ? `run failed: ${c.error.name}` : '');
    const trace = c.traceUrl ? `[${c.runId}](${c.traceUrl})` : c.runId ?? '';
    lines.push(`| ${cell(c.id)} | ${mark(c)} | ${cell(failing)} | ${usd(c.costUsd)} | ${c.durationMs} | ${cell(trace)} |`);
  }
  return `${lines.join('\n')}\n`;
}
