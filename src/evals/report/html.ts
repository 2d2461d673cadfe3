/**
 * The report as one self-contained HTML page: totals, three charts (score
 * distribution, latency histogram, cost per case), and every case with its
 * failing expectations. No script at all, and a CSP that allows none, so a
 * model output containing markup can only ever show as text.
 */
import { barChart, histogram } from './charts.js';
import { escapeHtml as esc } from './escape.js';
import type { CaseReport, EvalReport } from './summary.js';

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;max-width:1100px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta{color:#57606a}.totals{display:flex;gap:16px;flex-wrap:wrap;margin:12px 0}
.stat{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px}.stat b{display:block;font-size:18px}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #d0d7de;border-radius:6px;padding:8px}
figcaption{color:#57606a;font-size:12px}.chart{width:560px;height:180px}
.bar.good{fill:#2da44e}.bar.bad{fill:#cf222e}.bar.plain{fill:#0969da}.axis{stroke:#8c959f}.tick,.unit{font-size:10px;fill:#57606a}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:6px;text-align:left;vertical-align:top}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.change{font-size:12px;border-radius:4px;padding:1px 5px;margin-left:4px}
.regression{background:#ffebe9;color:#cf222e}.improvement{background:#dafbe1;color:#1a7f37}.new{background:#ddf4ff;color:#0969da}
.reason{color:#57606a;font-size:12px}pre{white-space:pre-wrap;margin:0;font-size:12px;max-height:8em;overflow:auto}
`;

function caseRow(c: CaseReport): string {
  const change = c.change ? `<span class="change ${c.change}">${esc(c.change)}</span>` : '';
  const failing = c.failed.map((f) => `<div><b>${esc(f.type)}</b> <span class="reason">${esc(f.reason)}</span></div>`).join('') +
    (c.error ? `<div class="reason">run failed: ${esc(c.error.name)}: ${esc(c.error.message)}</div>` : '');
  const trace = c.traceUrl ? `<a href="${esc(c.traceUrl)}">${esc(c.runId)}</a>` : esc(c.runId ?? '');
  return `<tr data-case="${esc(c.id)}"><td>${esc(c.id)}<div class="reason">${esc(c.tags.join(', '))}</div></td>` +
    `<td class="${c.pass ? 'pass' : 'fail'}">${c.pass ? 'pass' : 'FAIL'}${change}</td>` +
    `<td><pre>${esc(typeof c.input === 'string' ? c.input : JSON.stringify(c.input))}</pre></td><td><pre>${esc(c.text)}</pre></td>` +
    `<td>${failing}</td><td>$${c.costUsd.toFixed(6)}</td><td>${c.durationMs}</td><td>${trace}</td></tr>`;
}

export function toHtml(report: EvalReport): string {
  const t = report.totals;
  const scores = histogram(report.cases.map((c) => c.score), 5, 0, 1).map((b, i, all) => ({
    label: `${b.from.toFixed(1)}–${b.to.toFixed(1)}`, value: b.count, tone: i === all.length - 1 ? 'good' as const : 'bad' as const,
    title: `${b.count} case(s) meeting ${Math.round(b.from * 100)}–${Math.round(b.to * 100)} % of their expectations`,
  }));
  const maxMs = Math.max(report.latencyMs.max, 1);
  const latency = histogram(report.cases.map((c) => c.durationMs), 10, 0, maxMs).map((b) => ({
    label: b.to.toFixed(b.to < 10 ? 1 : 0), value: b.count, title: `${b.count} case(s) between ${b.from.toFixed(1)} and ${b.to.toFixed(1)} ms`,
  }));
  const cost = report.cases.map((c) => ({ label: c.id, value: c.costUsd + c.judgeCostUsd, tone: c.pass ? 'good' as const : 'bad' as const, title: `${c.id}: $${c.costUsd.toFixed(6)} run + $${c.judgeCostUsd.toFixed(6)} judge` }));
  const b = report.baseline;
  const baseline = b
    ? `<p id="baseline">Against <code>${esc(b.file)}</code>: <b>${b.regressions.length}</b> regression(s)${b.regressions.length ? ` (${esc(b.regressions.join(', '))})` : ''}, <b>${b.newFailures.length}</b> new failure(s), <b>${b.improvements.length}</b> improvement(s).</p>`
    : '';
  const tags = Object.entries(report.byTag).sort().map(([tag, v]) => `<tr><td>${esc(tag)}</td><td>${v.passed}</td><td>${v.cases}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evaluation: ${esc(report.name)}</title><style>${CSS}</style></head><body>
<h1>Evaluation: ${esc(report.name)}</h1>
<div class="meta">dataset ${esc(report.dataset)} · model ${esc(report.model)} · ${esc(report.startedAt)}</div>
<div class="totals">
<div class="stat" id="passed"><b>${t.passed}/${t.cases}</b>passed (${(t.passRate * 100).toFixed(1)} %)</div>
<div class="stat"><b>$${report.cost.runsUsd.toFixed(6)}</b>run cost</div>
<div class="stat"><b>$${report.cost.judgeUsd.toFixed(6)}</b>judge cost</div>
<div class="stat"><b>${report.latencyMs.p50} / ${report.latencyMs.p90} / ${report.latencyMs.p99} ms</b>latency p50 / p90 / p99</div>
</div>${baseline}
<div class="charts">
${barChart('chart-scores', 'Score distribution: share of each case’s expectations met', scores, 'cases per score band')}
${barChart('chart-latency', 'Latency histogram', latency, 'cases per latency band (ms, upper bound)')}
${barChart('chart-cost', 'Cost per case (run + judge)', cost, 'USD per case')}
</div>
<h2>By tag</h2><table><thead><tr><th>tag</th><th>passed</th><th>cases</th></tr></thead><tbody>${tags}</tbody></table>
<h2>Cases</h2><table id="cases"><thead><tr><th>case</th><th>verdict</th><th>input</th><th>output</th><th>failing expectations</th><th>cost</th><th>ms</th><th>trace</th></tr></thead>
<tbody>${report.cases.map(caseRow).join('\n')}</tbody></table>
</body></html>
`;
}
