/**
 * What a streamed run tells, as it happens: a discriminated union on `type`.
 * Every event carries the run id, its own span id, its parent's, and the
 * readable step path (`incident-triage/parallel/logs`), so the output of
 * parallel branches and nested agents can be told apart. Events are plain
 * JSON data (they cross HTTP as they are).
 */
import type { BudgetLimits, BudgetUsage } from '../budget.js';

export interface RunEventBase {
  runId: string;
  spanId: string;
  parentSpanId: string | undefined;
  path: string;
  /** Epoch milliseconds. */
  at: number;
}

export interface EventError {
  name: string;
  code?: string;
  message: string;
}

export type RunEventBody =
  | { type: 'run-start'; step: string }
  | { type: 'step-start'; step: string }
  | { type: 'step-end'; step: string; status: 'ok' | 'error'; durationMs: number; error?: EventError }
  | { type: 'model-start'; name: string; provider: string; model: string }
  | { type: 'text-delta'; delta: string; /** The whole text at once: a call answered without streaming (a cache, a recording). */ whole?: true }
  | { type: 'reasoning-delta'; delta: string }
  | { type: 'object-delta'; object: unknown }
  | { type: 'tool-call'; toolCallId: string; tool: string; args: unknown }
  | { type: 'tool-result'; toolCallId: string; tool: string; ok: boolean; result: unknown; durationMs: number }
  | { type: 'approval-requested'; tool: string; details: Record<string, unknown> }
  | { type: 'decision'; name: string; details: Record<string, unknown> }
  | { type: 'usage'; usage: BudgetUsage; limits: BudgetLimits }
  | { type: 'resumed'; details: Record<string, unknown> }
  | { type: 'error'; error: EventError }
  | { type: 'run-end'; status: 'completed' | 'suspended' | 'failed' | 'aborted'; usage?: BudgetUsage };

export type RunEvent = RunEventBase & RunEventBody;
export type RunEventType = RunEvent['type'];

export function eventError(err: unknown): EventError {
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | undefined;
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}
