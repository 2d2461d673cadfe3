/**
 * The studio's JSON API over the store: the runs list (filters, search,
 * paging), one run (record, trace, shape, approvals, budget), the approvals
 * inbox, and a decision on an approval. Reads need no token; a decision does
 * (checked by the server before it gets here).
 */
import { DEFAULT_BUDGET } from '../core/budget.js';
import type { StepShape } from '../core/shape.js';
import { decideApproval } from '../hitl/decide.js';
import type { ApprovalRecord, AuditEntry, RunRecord, RunStatus, Store } from '../store/types.js';
import { summarizeRun, usageOf, type RunSummary } from './run-summary.js';

/** What the studio knows of a workflow (an example or a registered workflow) by its name. */
export interface WorkflowInfo {
  /** e.g. "7 coordinator". */
  pattern?: string;
  shape?: StepShape;
}

export type Catalog = (workflow: string) => WorkflowInfo | undefined | Promise<WorkflowInfo | undefined>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const STATUSES: readonly RunStatus[] = ['running', 'suspended', 'completed', 'failed'];
/** How many runs a list query looks through (newest first) before filtering and paging in memory. */
const SCAN = 1000;

export interface RunsQuery {
  status?: string;
  pattern?: string;
  q?: string;
  offset?: number;
  limit?: number;
}

export interface RunsPage {
  runs: RunSummary[];
  total: number;
  offset: number;
  limit: number;
  patterns: string[];
}

export class StudioApi {
  constructor(
    private readonly store: Store,
    private readonly catalog: Catalog = () => undefined,
  ) {}

  private async patternOf(workflow: string): Promise<string | undefined> {
    return (await this.catalog(workflow))?.pattern;
  }

  async listRuns(query: RunsQuery): Promise<RunsPage> {
    if (query.status && !STATUSES.includes(query.status as RunStatus)) throw new ApiError(400, `status must be one of ${STATUSES.join(', ')}`);
    const limit = clamp(query.limit ?? 25, 1, 200);
    const offset = Math.max(0, query.offset ?? 0);
    const all = await this.store.listRuns({ ...(query.status ? { status: query.status as RunStatus } : {}), limit: SCAN });
    const withPattern = await Promise.all(all.map(async (run) => ({ run, pattern: await this.patternOf(run.workflow) })));
    const patterns = [...new Set(withPattern.map((r) => r.pattern).filter((p): p is string => !!p))].sort(byPatternNumber);
    const q = query.q?.trim().toLowerCase();
    const matching = withPattern.filter(({ run, pattern }) =>
      (!query.pattern || pattern === query.pattern) &&
      (!q || [run.runId, run.workflow, pattern ?? '', typeof run.input === 'string' ? run.input : JSON.stringify(run.input)].some((f) => f.toLowerCase().includes(q))),
    );
    const page = matching.slice(offset, offset + limit);
    const runs = await Promise.all(page.map(async ({ run, pattern }) => summarizeRun(run, await this.store.getTrace(run.runId), pattern)));
    return { runs, total: matching.length, offset, limit, patterns };
  }

  async getRun(runId: string): Promise<{
    run: RunRecord; summary: RunSummary; trace: Awaited<ReturnType<Store['getTrace']>>; shape: StepShape | undefined;
    approvals: (ApprovalRecord & { history: AuditEntry[] })[]; budget: { limits: Record<string, number>; used: Record<string, number> };
  }> {
    const run = await this.store.getRun(runId);
    if (!run) throw new ApiError(404, `no run ${runId} in this store`);
    const [trace, approvals, audit, info] = await Promise.all([this.store.getTrace(runId), this.store.listApprovals({ runId }), this.store.listAudit({ runId }), this.catalog(run.workflow)]);
    const summary = summarizeRun(run, trace, info?.pattern);
    const usage = usageOf(run, trace);
    const recorded = [...trace].reverse().find((s) => s.kind === 'run' && s.attributes.budget)?.attributes.budget as Record<string, number> | undefined;
    const limits: Record<string, number> = { ...DEFAULT_BUDGET, ...recorded };
    return {
      run,
      summary,
      trace,
      shape: info?.shape,
      approvals: approvals.map((a) => ({ ...a, history: audit.filter((e) => e.approvalId === a.approvalId) })),
      budget: {
        limits,
        used: { maxModelTurns: usage.modelTurns, maxToolCalls: usage.toolCalls, maxCostUsd: usage.costUsd, maxWallMs: summary.durationMs, maxTotalTokens: usage.inputTokens + usage.outputTokens },
      },
    };
  }

  async listApprovals(status: string | undefined): Promise<(ApprovalRecord & { history: AuditEntry[]; workflow?: string })[]> {
    const wanted = status === 'all' ? undefined : status ?? 'pending';
    if (wanted && !['pending', 'approved', 'rejected', 'expired'].includes(wanted)) throw new ApiError(400, 'status must be pending, approved, rejected, expired or all');
    const list = await this.store.listApprovals(wanted ? { status: wanted as ApprovalRecord['status'] } : {});
    return Promise.all(list.map(async (a) => ({
      ...a,
      history: await this.store.listAudit({ approvalId: a.approvalId }),
      ...(await this.store.getRun(a.runId).then((r) => (r ? { workflow: r.workflow } : {}))),
    })));
  }

  /** Decides through the same path as the CLI (assigned reviewer only, audited); the server then resumes the run. */
  async decide(approvalId: string, body: unknown): Promise<ApprovalRecord> {
    const b = (body ?? {}) as { decision?: unknown; reviewer?: unknown; comment?: unknown };
    if (b.decision !== 'approve' && b.decision !== 'reject') throw new ApiError(400, 'decision must be "approve" or "reject"');
    if (typeof b.reviewer !== 'string' || !b.reviewer.trim()) throw new ApiError(400, 'reviewer (your name) is required');
    if (b.comment !== undefined && typeof b.comment !== 'string') throw new ApiError(400, 'comment must be text');
    try {
      return await decideApproval(this.store, approvalId, { decision: b.decision, reviewer: b.reviewer.trim(), ...(b.comment ? { comment: b.comment } : {}) });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      // The store's and hitl's typed refusals (unknown, already decided, wrong reviewer) are the caller's to fix.
      const status = e.code === 'APPROVAL_NOT_FOUND' ? 404 : e.code === 'CONFIG_ERROR' ? 400 : e.code && e.code !== 'STORE_ERROR' ? 409 : undefined;
      if (status) throw new ApiError(status, e.message ?? String(err));
      throw err;
    }
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.trunc(n))) : lo;
}

function byPatternNumber(a: string, b: string): number {
  return (parseInt(a, 10) || 0) - (parseInt(b, 10) || 0) || a.localeCompare(b);
}
