/**
 * One run: its numbers, the budget as gauges, the workflow's shape with the
 * run laid on it, and the span tree as a waterfall (parallel branches show as
 * overlapping bars); a span opens to its attributes, usage, timing and error.
 */
import { get, HttpError, type RunDetail, type Span } from './api.js';
import { livePanel } from './live-panel.js';
import { diagram } from './diagram.js';
import { h, show } from './dom.js';
import { json, ms, usd, when } from './format.js';

const GAUGES: [key: string, label: string, format: (n: number) => string][] = [
  ['maxModelTurns', 'model turns', String],
  ['maxToolCalls', 'tool calls', String],
  ['maxCostUsd', 'cost', usd],
  ['maxWallMs', 'wall time', ms],
];

function gauges(budget: RunDetail['budget']): HTMLElement {
  return h('div', { class: 'gauges', id: 'gauges' }, ...GAUGES.filter(([k]) => budget.limits[k] !== undefined).map(([k, label, f]) => {
    const used = budget.used[k] ?? 0;
    const max = budget.limits[k]!;
    const share = max > 0 ? used / max : 0;
    return h('div', { class: 'gauge', 'data-gauge': k },
      h('div', { class: 'small' }, `${label}: ${f(used)} of ${f(max)} (${Math.round(share * 100)} %)`),
      h('div', { class: 'bar' }, h('div', { class: `fill${share >= 1 ? ' over' : share >= 0.8 ? ' high' : ''}`, style: { width: `${Math.min(100, share * 100).toFixed(1)}%` } })));
  }));
}

/** Spans in tree order (children after their parent, by start time), with their depth. */
function treeOrder(trace: readonly Span[]): { span: Span; depth: number }[] {
  const ids = new Set(trace.map((s) => s.spanId));
  const children = new Map<string | undefined, Span[]>();
  for (const s of trace) {
    const parent = s.parentId && ids.has(s.parentId) ? s.parentId : undefined;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  const out: { span: Span; depth: number }[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => a.startTime - b.startTime)) {
      out.push({ span: s, depth });
      walk(s.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return out;
}

function detail(span: Span): HTMLElement {
  const a = span.attributes;
  return h('div', { class: 'detail', id: 'span-detail' },
    h('b', {}, `${span.kind} · ${span.name}`),
    h('div', { class: 'small muted' }, `${when(span.startTime)} · ${ms(span.durationMs)} · ${span.status}${typeof a.retries === 'number' ? ` · ${a.retries} retries` : ''}`),
    span.error ? h('pre', { class: 'error-box' }, `${span.error.name}${span.error.code ? ` (${span.error.code})` : ''}: ${span.error.message}`) : null,
    a.usage ? h('div', {}, `usage: ${json(a.usage)}${typeof a.costUsd === 'number' ? ` · cost ${usd(a.costUsd)}` : ''}`) : null,
    a.args !== undefined ? [h('div', { class: 'small muted' }, 'arguments'), h('pre', { id: 'span-args' }, json(a.args))] : null,
    a.result !== undefined ? [h('div', { class: 'small muted' }, 'result'), h('pre', { id: 'span-result' }, json(a.result))] : null,
    h('div', { class: 'small muted' }, 'all attributes'),
    h('pre', {}, json(a)),
  );
}

function waterfall(trace: readonly Span[], onPick: (s: Span) => void): HTMLElement {
  const t0 = Math.min(...trace.map((s) => s.startTime));
  const t1 = Math.max(...trace.map((s) => s.startTime + s.durationMs));
  const total = Math.max(1, t1 - t0);
  const rows = treeOrder(trace).map(({ span, depth }) =>
    h('div', { class: 'wrow', 'data-span': span.spanId, 'data-kind': span.kind, onclick: (e) => {
      document.querySelectorAll('.wrow.selected').forEach((r) => r.classList.remove('selected'));
      (e.currentTarget as HTMLElement).classList.add('selected');
      onPick(span);
    } },
      h('div', { class: 'wname', style: { 'padding-left': `${depth * 14}px` }, title: span.name }, h('span', { class: 'kind' }, span.kind), ' ', span.name),
      h('div', { class: 'track' }, h('div', {
        class: `span-bar ${span.kind}${span.status === 'error' ? ' error' : ''}`,
        style: { left: `${(((span.startTime - t0) / total) * 100).toFixed(2)}%`, width: `${Math.max(0.3, (span.durationMs / total) * 100).toFixed(2)}%` },
      })),
      h('div', { class: 'dur' }, ms(span.durationMs))));
  return h('div', { class: 'waterfall', id: 'waterfall' }, ...rows);
}

export async function renderRun(root: HTMLElement, runId: string, picked: { spanId?: string }): Promise<void> {
  const live = livePanel(runId);
  let d: RunDetail;
  try {
    d = await get<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`);
  } catch (err) {
    // A run started here is stored when it ends: until then its live output is all there is.
    if (!(err instanceof HttpError && err.status === 404 && live)) throw err;
    show(root, h('p', {}, h('a', { href: '#/runs' }, '‹ all runs')), h('h1', {}, 'Run ', h('span', { class: 'status running', id: 'run-status' }, 'running')), h('div', { class: 'muted small' }, runId), live);
    return;
  }
  const s = d.summary;
  const detailSlot = h('div', {});
  const pick = (span: Span) => {
    picked.spanId = span.spanId;
    show(detailSlot, detail(span));
  };
  const pending = d.approvals.filter((a) => a.status === 'pending');
  show(root,
    h('p', {}, h('a', { href: '#/runs' }, '‹ all runs')),
    h('h1', {}, `${s.workflow} `, h('span', { class: `status ${s.status}`, id: 'run-status' }, s.status)),
    h('div', { class: 'muted small' }, `${s.runId}${s.pattern ? ` · pattern ${s.pattern}` : ''} · started ${when(s.startedAt)}`),
    h('div', { class: 'cards' },
      h('div', { class: 'card' }, h('b', {}, ms(s.durationMs)), 'duration'),
      h('div', { class: 'card' }, h('b', {}, s.usage.modelTurns), 'model turns'),
      h('div', { class: 'card' }, h('b', {}, s.usage.toolCalls), 'tool calls'),
      h('div', { class: 'card' }, h('b', {}, s.usage.inputTokens + s.usage.outputTokens), 'tokens'),
      h('div', { class: 'card' }, h('b', {}, usd(s.usage.costUsd)), 'cost'),
      h('div', { class: 'card' }, h('b', { id: 'span-count' }, d.trace.length), 'spans')),
    pending.length ? h('div', { class: 'notice', id: 'run-pending' }, `Waiting for ${pending.length} approval(s): `, ...pending.map((a) => h('a', { href: '#/approvals' }, `${a.tool} (reviewer ${a.reviewer}) `))) : null,
    live ?? null,
    h('h2', {}, 'Input'), h('pre', { id: 'run-input' }, json(d.run.input)),
    d.run.output !== undefined ? [h('h2', {}, 'Output'), h('pre', { id: 'run-output' }, json(d.run.output))] : null,
    d.run.error ? [h('h2', {}, 'Error'), h('pre', { class: 'error-box' }, d.run.error.message)] : null,
    h('h2', {}, 'Budget'), gauges(d.budget),
    h('h2', {}, 'Workflow'),
    d.shape ? diagram(d.shape, d.trace) : h('p', { class: 'muted' }, 'This workflow does not describe its steps.'),
    h('h2', {}, 'Timeline'),
    d.trace.length ? waterfall(d.trace, pick) : h('p', { class: 'muted' }, 'No spans stored for this run yet.'),
    detailSlot,
  );
  const again = picked.spanId && d.trace.find((x) => x.spanId === picked.spanId);
  if (again) {
    pick(again);
    root.querySelector(`.wrow[data-span="${CSS.escape(again.spanId)}"]`)?.classList.add('selected');
  }
}
