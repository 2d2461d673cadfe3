/**
 * The workflow's shape (from the steps themselves) with the run laid on it:
 * each node shows how often it ran, how long, and whether it failed; nodes
 * the run never reached are dimmed. A sequence reads left to right, parallel
 * branches and a route's specialists stack as lanes.
 */
import type { Span, StepShape } from './api.js';
import { h } from './dom.js';
import { ms } from './format.js';

interface Activity {
  count: number;
  failed: number;
  totalMs: number;
}

/**
 * What ran, by span name: steps, agents (their model calls carry the agent's name) and tools. An agent
 * run as a step has a step span and model spans of one name: each kind is counted apart and the most
 * frequent kind is the node's count (one agent run is one run, not two).
 */
function activity(trace: readonly Span[]): Map<string, Activity> {
  const byName = new Map<string, Map<string, Activity>>();
  for (const s of trace) {
    if (s.kind !== 'step' && s.kind !== 'model' && s.kind !== 'tool' && s.kind !== 'run') continue;
    const kinds = byName.get(s.name) ?? new Map<string, Activity>();
    const a = kinds.get(s.kind) ?? { count: 0, failed: 0, totalMs: 0 };
    a.count++;
    if (s.status === 'error') a.failed++;
    a.totalMs += s.durationMs;
    kinds.set(s.kind, a);
    byName.set(s.name, kinds);
  }
  const out = new Map<string, Activity>();
  for (const [name, kinds] of byName) {
    const all = [...kinds.values()];
    const main = all.reduce((a, b) => (b.count > a.count || (b.count === a.count && b.totalMs > a.totalMs) ? b : a));
    out.set(name, { count: main.count, failed: Math.max(...all.map((a) => a.failed)), totalMs: main.totalMs });
  }
  return out;
}

const LANES = new Set(['parallel', 'swarm']);

function node(shape: StepShape, ran: Map<string, Activity>): HTMLElement {
  const a = ran.get(shape.name);
  const state = !a ? 'idle' : a.failed ? 'failed' : 'ran';
  const label = h('div', { class: 'label' },
    h('span', { class: 'kind' }, shape.kind),
    shape.role && shape.role !== shape.name ? h('span', { class: 'role' }, shape.role) : null,
    h('b', {}, shape.name),
    a ? h('span', { class: 'runs' }, `×${a.count} · ${ms(a.totalMs)}${a.failed ? ` · ${a.failed} failed` : ''}`) : null,
  );
  const kids = shape.children ?? [];
  let children: HTMLElement | null = null;
  if (kids.length) {
    if (shape.kind === 'route') {
      const [router, ...targets] = kids;
      children = h('div', { class: 'children row' }, node(router!, ran), h('span', { class: 'arrow' }, '→'), h('div', { class: 'children column' }, ...targets.map((k) => node(k, ran))));
    } else if (shape.kind === 'sequence') {
      children = h('div', { class: 'children row' }, ...kids.flatMap((k, i) => [i ? h('span', { class: 'arrow' }, '→') : null, node(k, ran)]));
    } else {
      children = h('div', { class: `children ${LANES.has(shape.kind) || shape.kind === 'agent' || shape.kind === 'plan-and-execute' ? 'column' : 'row'}` }, ...kids.map((k) => node(k, ran)));
    }
  }
  return h('div', { class: `node ${state}`, 'data-node': shape.name, 'data-kind': shape.kind }, label, children);
}

export function diagram(shape: StepShape, trace: readonly Span[]): HTMLElement {
  return h('div', { class: 'diagram', id: 'diagram' }, node(shape, activity(trace)));
}
