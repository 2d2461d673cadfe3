/** Plain-text rendering for the CLI: tables, the action trace, usage lines. */
import type { BudgetUsage } from '../core/budget.js';
import type { SpanRecord } from '../core/span.js';
import { SCRIPTED_NOTICE } from '../models/scripted.js';
import type { ActionRecord } from '../patterns/agent.js';

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function formatActions(actions: readonly ActionRecord[]): string {
  if (actions.length === 0) return '  (no tool calls)';
  return actions
    .map((a, i) => {
      const result = typeof a.result === 'string' ? a.result : JSON.stringify(a.result);
      return `  ${i + 1}. [turn ${a.turn}] ${a.tool}(${JSON.stringify(a.args)}) ${a.ok ? '→' : '✗'} ${truncate(result, 160)} (${a.durationMs.toFixed(1)} ms)`;
    })
    .join('\n');
}

export function formatUsage(u: BudgetUsage): string {
  return `model turns ${u.modelTurns}, tool calls ${u.toolCalls}, tokens ${u.inputTokens} in / ${u.outputTokens} out, cost $${u.costUsd.toFixed(4)}, ${u.wallMs} ms`;
}

export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** What really answered a run, read from its trace: the scripted model, the real models called, or none. */
export function modelsCalled(trace: readonly SpanRecord[]): { model: string | null; scripted: boolean; label: string } {
  const called = new Set<string>();
  for (const s of trace) if (s.kind === 'model' && s.attributes.provider !== undefined) called.add(s.attributes.provider === 'scripted' ? 'scripted' : `${String(s.attributes.provider)}:${String(s.attributes.model)}`);
  const scripted = called.has('scripted');
  if (called.size === 0) return { model: null, scripted, label: '[no model was called]' };
  const model = [...called].join(', ');
  return { model, scripted, label: scripted ? `[${SCRIPTED_NOTICE}]` : `[model: ${model}]` };
}
