/**
 * Durable runs. `durableRun` starts a workflow with a store: every completed
 * operation is checkpointed; a human approval suspends the run (status
 * "suspended" in the store, no process waiting). `resumeRun` continues a
 * suspended or crashed run in any process: it applies overdue escalations,
 * restores the budget consumed so far, replays the recorded operations and
 * goes on from the first one that has no record. While a process executes a
 * run it holds the run's lease (lease.ts): a run whose lease is still live,
 * on this host or another, is never taken over.
 */
import { Budget, type BudgetLimits, type BudgetUsage } from '../core/budget.js';
import { ConfigError } from '../core/errors.js';
import type { Interceptor } from '../core/interceptor.js';
import type { Logger } from '../core/logger.js';
import type { SpanRecord, TraceSink } from '../core/span.js';
import type { Step } from '../core/step.js';
import { run, type RunOptions, type RunResult } from '../core/run.js';
import type { ApprovalGate } from '../core/tool.js';
import { Tracer } from '../core/tracer.js';
import { canonicalJson, sha256 } from '../hitl/keys.js';
import { StoreApprovalGate } from '../hitl/store-gate.js';
import { sweepApprovals } from '../hitl/sweep.js';
import type { ApprovalRecord, RunRecord, Store } from '../store/types.js';
import { LeaseLost, ResumeError } from './errors.js';
import { DurableJournal, isJsonData, usageOfRecords, type JournalEntry } from './journal.js';
import { RunLeaseKeeper, type LeaseOptions } from './lease.js';
import type { Reconciler } from './reconcile.js';
import type { WorkflowDefinition, WorkflowRegistry } from './registry.js';
import { activeStepName } from '../hitl/active-path.js';
import { StoreTraceSink } from '../store/trace-sink.js';

export interface DurableOptions {
  store: Store;
  runId?: string;
  budget?: BudgetLimits;
  /** Default: StoreApprovalGate on the same store (suspends for a real person). */
  approvals?: ApprovalGate;
  sinks?: readonly TraceSink[];
  logger?: Logger;
  signal?: AbortSignal;
  metadata?: Record<string, unknown>;
  /** Wrap the run's calls (inside the journal: a replayed call reaches none of them). */
  interceptors?: readonly Interceptor[];
  reconcilers?: Readonly<Record<string, Reconciler>>;
  /** Workflow version recorded with the run (resume refuses another one). */
  version?: string;
  /**
   * The model the run's steps use, recorded so a resume can rebuild the same one (never a key: credentials in
   * the URL are dropped). On resume, a given one replaces the recorded one from then on.
   */
  model?: RecordedModel;
  /** Clock for deadlines (tests). */
  now?: () => number;
  /** The lease this process holds while it executes the run (length, host id). */
  lease?: LeaseOptions;
}

export interface ResumeOptions extends Omit<DurableOptions, 'runId' | 'version' | 'reconcilers'> {
  registry: WorkflowRegistry;
  /** When given, must equal the input the run started with. */
  input?: unknown;
}

/** A model as `provider:model` (or "scripted") and, for servers that need one, its base URL. */
export interface RecordedModel {
  spec: string;
  baseUrl?: string;
}

/** What the store keeps in RunRecord.state between segments of a durable run. */
export interface DurableState {
  version?: string;
  model?: RecordedModel;
  inputHash: string;
  budgetLimits?: BudgetLimits;
  /** Budget consumed so far. */
  usage: BudgetUsage;
  /** Active wall time so far (time spent suspended does not count against maxWallMs). */
  wallMs: number;
  /** The innermost step that was running when the run suspended (the "active agent"). */
  activeStep?: string;
  pending: { approvalId: string; tool: string; reviewer: string; activeStep?: string; path?: string }[];
  /** How many times the run has been started or resumed. */
  segments: number;
}

interface Base {
  runId: string;
  usage: BudgetUsage;
  /** Every span of the run so far, all segments. */
  trace: SpanRecord[];
  scripted: boolean;
}
export type DurableResult<O> =
  | (Base & { status: 'completed'; output: O })
  | (Base & { status: 'suspended'; pending: ApprovalRecord[] });

/** Starts a durable run of `step` under the workflow name `workflow` (register it under that name to resume elsewhere). */
export async function durableRun<I, O>(workflow: string, step: Step<I, O>, input: I, options: DurableOptions): Promise<DurableResult<O>> {
  if (!options?.store) throw new ConfigError('durable.store', 'a durable run needs a store (openStore(...))');
  if (!isJsonData(input)) throw new ConfigError('durable.input', 'must be JSON data so another process can resume the run');
  const now = Date.now();
  const runId = options.runId ?? crypto.randomUUID();
  if (await options.store.getRun(runId)) throw new ConfigError('durable.runId', `run ${runId} already exists; use resumeRun`);
  const state: DurableState = {
    ...(options.version ? { version: options.version } : {}),
    ...(options.model ? { model: withoutCredentials(options.model) } : {}),
    inputHash: sha256(canonicalJson(input)),
    ...(options.budget ? { budgetLimits: options.budget } : {}),
    usage: { modelTurns: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, wallMs: 0 },
    wallMs: 0,
    pending: [],
    segments: 0,
  };
  const record: RunRecord = { runId, workflow, input, status: 'running', state, createdAt: now, updatedAt: now };
  return execute({ name: workflow, step, ...(options.reconcilers ? { reconcilers: options.reconcilers } : {}) }, record, options, false);
}

/** Continues a suspended or crashed run; fails with a ResumeError naming the reason when it cannot. */
export async function resumeRun<O = unknown>(runId: string, options: ResumeOptions): Promise<DurableResult<O>> {
  const { store, registry } = options;
  if (!store) throw new ConfigError('resume.store', 'is required');
  const record = await store.getRun(runId);
  if (!record) throw new ResumeError(runId, 'RUN_NOT_FOUND', 'no such run in this store');
  if (record.status === 'completed') {
    throw new ResumeError(runId, 'RUN_ALREADY_COMPLETED', `it completed at ${new Date(record.updatedAt).toISOString()}`);
  }
  const definition = registry.get(record.workflow);
  if (!definition) {
    throw new ResumeError(runId, 'WORKFLOW_NOT_REGISTERED', `workflow "${record.workflow}" is not registered here (registered: ${registry.names().join(', ') || 'none'})`);
  }
  const state = record.state as DurableState | undefined;
  if ((state?.version ?? undefined) !== (definition.version ?? undefined)) {
    throw new ResumeError(runId, 'WORKFLOW_VERSION_CHANGED', `it started on version ${state?.version ?? '(none)'} of "${record.workflow}", this process has ${definition.version ?? '(none)'}`);
  }
  if (options.input !== undefined && canonicalJson(options.input) !== canonicalJson(record.input)) {
    throw new ResumeError(runId, 'INPUT_CHANGED', 'the input given differs from the input the run started with');
  }
  if (record.lease && record.lease.expiresAt > Date.now()) {
    throw new ResumeError(runId, 'RUN_IN_PROGRESS', `${record.lease.owner} holds its lease until ${new Date(record.lease.expiresAt).toISOString()} (renewed while it runs)`);
  }
  await sweepApprovals(store, (options.now ?? Date.now)(), { runId });
  return execute(definition, record, options, true);
}

async function execute<O>(
  definition: Pick<WorkflowDefinition, 'name' | 'step' | 'reconcilers' | 'budget'>,
  record: RunRecord,
  options: Omit<DurableOptions, 'runId'>,
  resumed: boolean,
): Promise<DurableResult<O>> {
  const { store } = options;
  const runId = record.runId;
  const recorded = record.state as DurableState;
  const prior = resumed && options.model ? { ...recorded, model: withoutCredentials(options.model) } : recorded;
  const records = resumed ? ((await store.getCheckpoints(runId)) as Map<string, JournalEntry>) : new Map<string, JournalEntry>();
  const limits = options.budget ?? prior.budgetLimits ?? definition.budget;
  const budget = new Budget(limits, { used: usageOfRecords(records), startedAt: Date.now() - (prior.wallMs ?? 0) });

  const sink = new StoreTraceSink(store);
  const tracer = new Tracer(runId, [sink, ...(options.sinks ?? [])]);
  const priorSpans = resumed ? await store.getTrace(runId) : [];
  if (resumed) tracer.event('event', 'resumed', undefined, { checkpoints: records.size, segment: (prior.segments ?? 0) + 1 });

  const lease = new RunLeaseKeeper(store, runId, options.lease);
  const journal = new DurableJournal({
    runId, store, records, reconcilers: { ...definition.reconcilers, ...options.reconcilers },
    afterRecord: () => sink.flush(), beforeEffect: () => lease.confirm(),
  });
  const approvals = options.approvals ?? new StoreApprovalGate(store, options.now ? { now: options.now } : {});
  const segments = (prior.segments ?? 0) + 1;
  // Strictly later than what was read, so a concurrent claim of the same read cannot also match.
  const claimedAt = Math.max(Date.now(), record.updatedAt + 1);
  const running: RunRecord = { ...record, status: 'running', updatedAt: claimedAt, state: { ...prior, segments }, lease: lease.next(claimedAt) };
  if (!resumed) await store.putRun(running);
  else if (!(await store.claimRun(running, record))) {
    // Two resumes of one run must not both execute: of all claims of the same read, one wins, and only of a run nobody holds.
    throw new ResumeError(runId, 'RUN_IN_PROGRESS', 'another process resumed or changed it since it was read');
  }
  lease.start(running.lease!);

  const runOptions: RunOptions = {
    runId, budget, approvals, store, tracer,
    // The journal outermost: a replayed call goes through no other interceptor.
    interceptors: [journal, ...(options.interceptors ?? [])],
    signal: options.signal ? AbortSignal.any([options.signal, lease.signal]) : lease.signal,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.metadata ? { metadata: options.metadata } : {}),
  };
  const stateNow = (extra: Partial<DurableState>): DurableState => {
    const usage = budget.usage();
    const { owner: _owner, ...rest } = prior as DurableState & { owner?: unknown }; // an owner written before leases existed
    return { ...rest, segments, usage, wallMs: usage.wallMs, pending: [], ...extra };
  };
  /** Ends this segment, only while this process still holds the lease. */
  const release = async (end: Pick<RunRecord, 'status' | 'output' | 'error' | 'state'>) => {
    lease.stop();
    const { lease: _claimed, output: _output, error: _error, ...base } = record; // an earlier segment's ending is replaced
    if (!(await store.releaseRun({ ...base, ...end, updatedAt: Date.now() }, lease.owner))) throw lease.lostError();
  };
  const fullTrace = () => [...priorSpans, ...tracer.spans];
  let result: RunResult<O>;
  try {
    result = await run(definition.step as Step<unknown, O>, record.input, runOptions);
  } catch (err) {
    // Taken over by another process: it owns the run now, so this one writes nothing more.
    if (err instanceof LeaseLost || lease.signal.aborted) throw lease.lostError();
    const e = err as { code?: unknown; message?: unknown };
    await release({
      status: 'failed', state: stateNow({}),
      error: { ...(typeof e?.code === 'string' ? { code: e.code } : {}), message: typeof e?.message === 'string' ? e.message : String(err) },
    });
    throw err;
  } finally {
    lease.stop();
  }
  if (result.status === 'suspended') {
    await sink.flush();
    const waiting = (await store.listApprovals({ runId, status: 'pending' })).filter((a) => result.pending.includes(a.approvalId));
    const pending = waiting.map((a) => {
      const ev = (a.evidence ?? {}) as { activeStep?: string; path?: string };
      return { approvalId: a.approvalId, tool: a.tool, reviewer: a.reviewer, ...(ev.activeStep ? { activeStep: ev.activeStep } : {}), ...(ev.path ? { path: ev.path } : {}) };
    });
    const activeStep = pending[0]?.activeStep ?? activeStepName(undefined, definition.name);
    await release({ status: 'suspended', state: stateNow({ pending, activeStep }) });
    const trace = fullTrace();
    return { status: 'suspended', runId, pending: waiting, usage: budget.usage(), trace, scripted: usedScripted(trace) };
  }
  const output = isJsonData(result.output) ? result.output : String(result.output);
  await release({ status: 'completed', output, state: stateNow({}) });
  const trace = fullTrace();
  return { status: 'completed', runId, output: result.output, usage: result.usage, trace, scripted: usedScripted(trace) };
}

function withoutCredentials(model: RecordedModel): RecordedModel {
  if (!model.baseUrl || !URL.canParse(model.baseUrl)) return { spec: model.spec };
  const url = new URL(model.baseUrl);
  url.username = '';
  url.password = '';
  url.search = '';
  return { spec: model.spec, baseUrl: url.href };
}

function usedScripted(spans: readonly SpanRecord[]): boolean {
  for (const s of spans) if (s.kind === 'model' && s.attributes.provider === 'scripted') return true;
  return false;
}
