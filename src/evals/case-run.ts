/**
 * What a scorer sees of one case: the output, its text, the trace, usage,
 * timing, and the error when the run failed (a failed run is scored too:
 * "the guardrail tripped" or "the budget stopped it" may be the expectation).
 */
import type { BudgetUsage } from '../core/budget.js';
import type { SpanRecord } from '../core/span.js';
import type { EvalCase } from './dataset.js';

export interface CaseRun {
  case: EvalCase;
  /** What the step returned (undefined when it threw). */
  output: unknown;
  /** The output as text: a string as is, an agent's `text`, an example's `answer`, else JSON. */
  text: string;
  trace: readonly SpanRecord[];
  usage: BudgetUsage | undefined;
  durationMs: number;
  runId: string | undefined;
  error?: { name: string; code?: string; message: string };
}

/** The text a person would read from an output. */
export function textOf(output: unknown): string {
  if (output === undefined || output === null) return '';
  if (typeof output === 'string') return output;
  if (typeof output === 'object') {
    const o = output as { text?: unknown; answer?: unknown; output?: unknown };
    if (typeof o.answer === 'string') return o.answer;
    if (typeof o.text === 'string') return o.text;
    if (typeof o.output === 'string') return o.output;
  }
  try {
    return JSON.stringify(output) ?? String(output);
  } catch {
    return String(output);
  }
}
