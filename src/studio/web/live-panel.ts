/**
 * The live output of a run started from this page: its tokens as they
 * arrive, one block per step path (parallel branches side by side in time,
 * each in its own block), and a log of steps, tool calls and decisions. It
 * follows the run's event stream (server-sent events) and outlives the page's
 * re-renders, so the text keeps growing while the rest of the page refreshes.
 */
import { h } from './dom.js';

interface LiveEvent {
  type: string;
  path: string;
  delta?: string;
  step?: string;
  tool?: string;
  args?: unknown;
  ok?: boolean;
  name?: string;
  status?: string;
}

const panels = new Map<string, HTMLElement>();

/** The panel of `runId` if this page started it (or follows it); undefined otherwise. */
export function livePanel(runId: string): HTMLElement | undefined {
  return panels.get(runId);
}

/** Starts following a run's event stream into a new panel. */
export function followRun(runId: string): HTMLElement {
  const existing = panels.get(runId);
  if (existing) return existing;
  const status = h('div', { class: 'small muted', id: 'live-status' }, 'waiting for the run…');
  const blocks = h('div', { class: 'live-blocks' });
  const log = h('ul', { class: 'small live-log' });
  const panel = h('div', { class: 'live', id: 'live-panel', 'data-run': runId }, h('h2', {}, 'Live output'), status, blocks, log);
  panels.set(runId, panel);
  const byPath = new Map<string, HTMLElement>();
  const textOf = (path: string) => {
    let pre = byPath.get(path);
    if (!pre) {
      pre = h('pre', { class: 'live-text', 'data-path': path });
      byPath.set(path, pre);
      blocks.append(h('div', { class: 'live-block' }, h('div', { class: 'small muted' }, path), pre));
    }
    return pre;
  };
  const source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/live`);
  const on = (type: string, fn: (e: LiveEvent) => void) => source.addEventListener(type, (m) => fn(JSON.parse((m as MessageEvent<string>).data) as LiveEvent));
  on('run-start', () => (status.textContent = 'running'));
  on('text-delta', (e) => textOf(e.path).append(document.createTextNode(e.delta ?? '')));
  on('step-start', (e) => log.append(h('li', {}, `▸ ${e.path}`)));
  on('tool-call', (e) => log.append(h('li', {}, `⚙ ${e.tool}(${JSON.stringify(e.args)}) — ${e.path}`)));
  on('tool-result', (e) => log.append(h('li', {}, `  ${e.ok ? '→ ok' : '→ error'} ${e.tool}`)));
  on('decision', (e) => log.append(h('li', {}, `◆ ${e.name} — ${e.path}`)));
  on('approval-requested', (e) => log.append(h('li', {}, `✋ approval requested: ${e.tool}`)));
  on('run-end', (e) => {
    status.textContent = `run ${e.status ?? 'ended'}`;
    panel.dataset.done = e.status ?? 'ended';
    source.close();
  });
  source.addEventListener('error', () => {
    if (!panel.dataset.done) status.textContent = 'the live stream ended';
    source.close();
  });
  return panel;
}
