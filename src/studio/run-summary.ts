/**
 * One line of the runs list, from what the store holds: the run record and
 * its trace. Usage comes from the run's own account (a durable run's state,
 * or the root span) and, failing both, from its model spans.
 */
import type { SpanRecord } from '../core/span.js';
import type { RunRecord } from '../store/types.js';

export interface UsageSummary {
  modelTurns: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface RunSummary {
  runId: string;
  workflow: string;
  pattern: string | undefined;
  status: RunRecord['status'];
  startedAt: number;
  durationMs: number;
  usage: UsageSummary;
  input: string;
  error?: string;
}

type UsageLike = Partial<UsageSummary>;

/** The usage a run reports: its durable state's, else the last root span's, else counted from the spans. */
export function usageOf(run: RunRecord, trace: readonly SpanRecord[]): UsageSummary {
  const state = (run.state as { usage?: UsageLike } | undefined)?.usage;
  const root = [...trace].reverse().find((s) => s.kind === 'run' && s.attributes.usage);
  const reported = state ?? (root?.attributes.usage as UsageLike | undefined);
  if (reported && typeof reported.modelTurns === 'number') {
    return {
      modelTurns: reported.modelTurns ?? 0, toolCalls: reported.toolCalls ?? 0, inputTokens: reported.inputTokens ?? 0,
      outputTokens: reported.outputTokens ?? 0, costUsd: reported.costUsd ?? 0,
    };
  }
  const usage: UsageSummary = { modelTurns: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (const s of trace) {
    if (s.kind === 'tool') usage.toolCalls++;
    if (s.kind !== 'model') continue;
    usage.modelTurns++;
    const u = s.attributes.usage as { inputTokens?: number; outputTokens?: number } | undefined;
    usage.inputTokens += u?.inputTokens ?? 0;
    usage.outputTokens += u?.outputTokens ?? 0;
    usage.costUsd += typeof s.attributes.costUsd === 'number' ? s.attributes.costUsd : 0;
  }
  return usage;
}

export function summarizeRun(run: RunRecord, trace: readonly SpanRecord[], pattern: string | undefined): RunSummary {
  let end = run.updatedAt;
  for (const s of trace) end = Math.max(end, s.startTime + s.durationMs);
  const start = Math.min(run.createdAt, ...trace.map((s) => s.startTime));
  return {
    runId: run.runId,
    workflow: run.workflow,
    pattern,
    status: run.status,
    startedAt: run.createdAt,
    durationMs: Math.max(0, end - start),
    usage: usageOf(run, trace),
    input: typeof run.input === 'string' ? run.input : JSON.stringify(run.input) ?? '',
    ...(run.error ? { error: run.error.message } : {}),
  };
}
