/** The runs list: filters (status, pattern, text), a page of runs, paging. State lives in the address. */
import { get, post, token, type RunsPage } from './api.js';
import { followRun } from './live-panel.js';
import { h, show } from './dom.js';
import { ms, usd, when } from './format.js';

const PAGE = 25;

export async function renderRuns(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const status = params.get('status') ?? '';
  const pattern = params.get('pattern') ?? '';
  const q = params.get('q') ?? '';
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const query = new URLSearchParams({ limit: String(PAGE), offset: String(page * PAGE) });
  if (status) query.set('status', status);
  if (pattern) query.set('pattern', pattern);
  if (q) query.set('q', q);
  const [data, starter] = await Promise.all([get<RunsPage>(`/api/runs?${query}`), startForm()]);

  const go = (changes: Record<string, string>) => {
    const next = new URLSearchParams({ status, pattern, q, page: '0', ...changes });
    for (const [k, v] of [...next]) if (!v || (k === 'page' && v === '0')) next.delete(k);
    location.hash = `#/runs${next.size ? `?${next}` : ''}`;
  };
  const statusSelect = h('select', { id: 'filter-status', onchange: (e) => go({ status: (e.target as HTMLSelectElement).value }) },
    ...['', 'running', 'suspended', 'completed', 'failed'].map((s) => h('option', { value: s, selected: s === status }, s || 'any status')));
  const patternSelect = h('select', { id: 'filter-pattern', onchange: (e) => go({ pattern: (e.target as HTMLSelectElement).value }) },
    h('option', { value: '' }, 'any pattern'), ...data.patterns.map((p) => h('option', { value: p, selected: p === pattern }, p)));
  const search = h('input', { id: 'filter-q', type: 'search', placeholder: 'search id, workflow, input', value: q }) as HTMLInputElement;
  const form = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); go({ q: search.value.trim() }); } }, statusSelect, patternSelect, search, h('button', { type: 'submit' }, 'Search'));

  const rows = data.runs.map((r) =>
    h('tr', { class: 'clickable', 'data-run': r.runId, onclick: () => (location.hash = `#/runs/${encodeURIComponent(r.runId)}`) },
      h('td', {}, h('a', { href: `#/runs/${encodeURIComponent(r.runId)}` }, r.workflow), h('div', { class: 'muted small' }, r.runId)),
      h('td', {}, r.pattern ?? ''),
      h('td', { class: `status ${r.status}` }, r.status),
      h('td', {}, when(r.startedAt)),
      h('td', {}, ms(r.durationMs)),
      h('td', {}, r.usage.modelTurns),
      h('td', {}, r.usage.toolCalls),
      h('td', {}, r.usage.inputTokens + r.usage.outputTokens),
      h('td', {}, usd(r.usage.costUsd)),
    ));
  const last = Math.max(0, Math.ceil(data.total / PAGE) - 1);
  show(root,
    h('h1', {}, 'Runs'),
    starter,
    form,
    data.runs.length
      ? h('table', { id: 'runs' },
          h('thead', {}, h('tr', {}, ...['workflow', 'pattern', 'status', 'started', 'duration', 'model turns', 'tool calls', 'tokens', 'cost'].map((c) => h('th', {}, c)))),
          h('tbody', {}, ...rows))
      : h('p', { class: 'muted', id: 'no-runs' }, 'No runs match.'),
    h('div', { class: 'pager' },
      h('button', { id: 'prev', disabled: page === 0, onclick: () => go({ page: String(page - 1) }) }, '‹ newer'),
      h('span', { class: 'muted', id: 'page-info' }, `${data.total ? data.offset + 1 : 0}–${data.offset + data.runs.length} of ${data.total}`),
      h('button', { id: 'next', disabled: page >= last, onclick: () => go({ page: String(page + 1) }) }, 'older ›')),
  );
}

interface Workflows {
  workflows: { name: string; pattern: string; defaultInput: string }[];
  canStart: boolean;
}

/** Start a run from the page (needs the token): its live output streams on its page. */
async function startForm(): Promise<HTMLElement | null> {
  const { workflows, canStart } = await get<Workflows>('/api/workflows');
  if (!canStart || workflows.length === 0 || !token()) return null;
  const input = h('input', { id: 'start-input', size: 60, placeholder: 'input (default: the example’s own)' }) as HTMLInputElement;
  const pick = h('select', { id: 'start-workflow', onchange: () => (input.placeholder = workflows.find((w) => w.name === pick.value)?.defaultInput ?? '') },
    ...workflows.map((w) => h('option', { value: w.name }, `${w.name} (${w.pattern})`))) as HTMLSelectElement;
  input.placeholder = workflows[0]!.defaultInput;
  const message = h('span', { class: 'small' });
  const start = async () => {
    try {
      const { runId } = await post<{ runId: string }>('/api/runs', { workflow: pick.value, ...(input.value ? { input: input.value } : {}) });
      followRun(runId);
      location.hash = `#/runs/${encodeURIComponent(runId)}`;
    } catch (err) {
      message.textContent = err instanceof Error ? err.message : String(err);
    }
  };
  return h('form', { class: 'filters', id: 'start-form', onsubmit: (e) => { e.preventDefault(); void start(); } }, 'Start a run: ', pick, input, h('button', { type: 'submit', id: 'start-run' }, 'Start'), message);
}
