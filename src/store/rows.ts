/**
 * JSON encoding of values and the mapping of table rows to records, shared
 * by both backends (their drivers return the same shapes for TEXT, INTEGER
 * and DOUBLE PRECISION columns).
 */
import { scrubText } from '../core/secrets.js';
import type { SpanRecord } from '../core/span.js';
import { StoreError } from './errors.js';
import type {
  ApprovalRecord, ApprovalStatus, AuditEntry, DeadLetter, DecisionMeta, DecisionRecord, InboxEntry, MemoryRecord, RunRecord, RunStatus, SessionRecord,
} from './types.js';

type Row = Record<string, unknown>;

/** undefined is stored as SQL NULL and read back as undefined; everything else must be JSON. */
export function encode(value: unknown, what: string): string | null {
  if (value === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new StoreError(`${what} is not JSON-serializable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  // JSON.stringify returns undefined for functions and symbols.
  if (text === undefined) throw new StoreError(`${what} is not JSON-serializable (${typeof value})`);
  // Every value the store keeps passes here: no registered secret or key-shaped token reaches a table.
  return scrubText(text);
}

export function decode(text: unknown): unknown {
  return text === null || text === undefined ? undefined : JSON.parse(text as string);
}

const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : (v as string));
const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/** Drops undefined optional fields so records compare equal to what was put. */
function compact<T extends object>(record: T): T {
  for (const k of Object.keys(record) as (keyof T)[]) if (record[k] === undefined) delete record[k];
  return record;
}

export function toRun(r: Row): RunRecord {
  return compact({
    runId: r.run_id as string,
    workflow: r.workflow as string,
    input: decode(r.input),
    status: r.status as RunStatus,
    output: decode(r.output),
    error: decode(r.error) as RunRecord['error'],
    state: decode(r.state),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    lease: r.lease_owner === null || r.lease_owner === undefined ? undefined : { owner: r.lease_owner as string, expiresAt: Number(r.lease_expires_at) },
  });
}

export function runParams(run: RunRecord): unknown[] {
  return [
    run.runId,
    run.workflow,
    encode(run.input, 'run input'),
    run.status,
    encode(run.output, 'run output'),
    encode(run.error, 'run error'),
    encode(run.state, 'run state'),
    run.createdAt,
    run.updatedAt,
    run.lease?.owner ?? null,
    run.lease?.expiresAt ?? null,
  ];
}

/** claimRun's parameters: the claim, the read it is conditional on, and its time (a lease valid then blocks it). */
export function claimParams(next: RunRecord, expected: Pick<RunRecord, 'status' | 'updatedAt'>): unknown[] {
  return [
    next.status, encode(next.state, 'run state'), next.updatedAt, next.lease?.owner ?? null, next.lease?.expiresAt ?? null,
    next.runId, expected.status, expected.updatedAt, next.updatedAt,
  ];
}

export function releaseParams(run: RunRecord, owner: string): unknown[] {
  return [
    run.status, encode(run.output, 'run output'), encode(run.error, 'run error'), encode(run.state, 'run state'), run.updatedAt,
    run.runId, owner,
  ];
}

export function toApproval(r: Row): ApprovalRecord {
  return compact({
    approvalId: r.approval_id as string,
    runId: r.run_id as string,
    tool: r.tool as string,
    args: decode(r.args),
    callKey: r.call_key as string,
    reviewer: r.reviewer as string,
    evidence: decode(r.evidence),
    recommendation: str(r.recommendation),
    status: r.status as ApprovalStatus,
    deadline: num(r.deadline),
    decidedBy: str(r.decided_by),
    decidedAt: num(r.decided_at),
    comment: str(r.comment),
    createdAt: Number(r.created_at),
    consumedBy: str(r.consumed_by),
    consumedAt: num(r.consumed_at),
    escalatedFrom: str(r.escalated_from),
  });
}

export function approvalParams(a: ApprovalRecord): unknown[] {
  return [
    a.approvalId,
    a.runId,
    a.tool,
    encode(a.args, 'approval args'),
    a.callKey,
    a.reviewer,
    encode(a.evidence, 'approval evidence'),
    a.recommendation === undefined ? null : scrubText(a.recommendation),
    a.status,
    a.deadline ?? null,
    a.decidedBy ?? null,
    a.decidedAt ?? null,
    a.comment === undefined ? null : scrubText(a.comment),
    a.createdAt,
    a.consumedBy ?? null,
    a.consumedAt ?? null,
    a.escalatedFrom ?? null,
  ];
}

export function toAudit(r: Row): AuditEntry {
  return compact({
    at: Number(r.at),
    approvalId: str(r.approval_id),
    runId: str(r.run_id),
    actor: r.actor as string,
    action: r.action as string,
    detail: decode(r.detail),
  });
}

export function auditParams(e: AuditEntry): unknown[] {
  return [e.at, e.approvalId ?? null, e.runId ?? null, e.actor, e.action, encode(e.detail, 'audit detail')];
}

export function toDecision(r: Row): DecisionRecord {
  return compact({
    consumer: r.consumer as string,
    eventId: r.event_id as string,
    decision: decode(r.decision),
    decidedAt: Number(r.decided_at),
    runId: str(r.run_id),
    attempts: num(r.attempts),
    publishedAt: num(r.published_at),
  });
}

/** Params of recordDecision; without a publisher to wait for, a decision is born published (never in the outbox). */
export function decisionParams(consumer: string, eventId: string, decision: unknown, meta: DecisionMeta = {}): unknown[] {
  const at = Date.now();
  return [consumer, eventId, encode(decision, `decision for ${eventId}`), at, meta.runId ?? null, meta.attempts ?? null, meta.publish ? null : at];
}

export function toInboxEntry(r: Row): InboxEntry {
  return {
    inbox: r.inbox as string,
    eventId: r.event_id as string,
    payload: decode(r.payload),
    receivedAt: Number(r.received_at),
    deliveries: Number(r.deliveries),
  };
}

/** Claimed entries come back from UPDATE ... RETURNING in no set order: oldest first. */
export function toInboxEntries(rows: Row[]): InboxEntry[] {
  return [...rows].sort((a, b) => Number(a.seq) - Number(b.seq)).map(toInboxEntry);
}

export function toDeadLetter(r: Row): DeadLetter {
  return compact({
    consumer: r.consumer as string,
    eventId: r.event_id as string,
    payload: decode(r.payload),
    error: r.error as string,
    attempts: Number(r.attempts),
    at: Number(r.at),
  });
}

export function deadLetterParams(d: DeadLetter): unknown[] {
  return [d.consumer, d.eventId, encode(d.payload, 'dead letter payload'), scrubText(d.error), d.attempts, d.at];
}

export function toSpan(r: Row): SpanRecord {
  const span: SpanRecord = {
    traceId: r.trace_id as string,
    spanId: r.span_id as string,
    parentId: str(r.parent_id),
    kind: r.kind as SpanRecord['kind'],
    name: r.name as string,
    startTime: Number(r.start_time),
    durationMs: Number(r.duration_ms),
    status: r.status as SpanRecord['status'],
    attributes: (decode(r.attributes) as Record<string, unknown> | undefined) ?? {},
  };
  const error = decode(r.error) as SpanRecord['error'];
  if (error) span.error = error;
  return span;
}

export function spanParams(s: SpanRecord): unknown[] {
  return [
    s.traceId,
    s.spanId,
    s.parentId ?? null,
    s.kind,
    s.name,
    s.startTime,
    s.durationMs,
    s.status,
    encode(s.attributes, `span ${s.name} attributes`),
    encode(s.error, `span ${s.name} error`),
  ];
}

/** Positive integer limit or undefined; anything else is a caller bug worth naming. */
export function checkLimit(limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isInteger(limit) || limit < 0) throw new StoreError(`limit must be a non-negative integer, got ${limit}`);
  return limit;
}

export function toSession(r: Row): SessionRecord {
  return compact({
    owner: r.owner as string,
    sessionId: r.session_id as string,
    version: Number(r.version),
    messageCount: Number(r.message_count),
    holder: str(r.holder),
    heldUntil: num(r.held_until),
    summary: decode(r.summary),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  });
}

export function toMemory(r: Row): MemoryRecord {
  return { id: String(r.id), owner: r.owner as string, content: r.content as string, at: Number(r.at) };
}

/** The words of a search query (letters and digits only: nothing of it reaches the search syntax). */
export function searchWords(query: string): string[] {
  return [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, 32);
}
