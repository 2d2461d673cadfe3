/**
 * The durable-state contract. SQLite (default, one file) and PostgreSQL
 * implement it; one contract test suite runs against both. Everything is
 * JSON-serializable values keyed by strings.
 */
import type { Message } from '../core/messages.js';
import type { SpanRecord } from '../core/span.js';

export type RunStatus = 'running' | 'suspended' | 'completed' | 'failed';

export interface RunRecord {
  runId: string;
  /** What was run: an example name or a workflow name, so `resume` can rebuild it. */
  workflow: string;
  input: unknown;
  status: RunStatus;
  output?: unknown;
  error?: { code?: string; message: string };
  /** Budget consumed so far, which agent/step was active, anything needed to resume. */
  state?: unknown;
  createdAt: number;
  updatedAt: number;
  /** Who is running it right now and until when; absent when no process holds it (suspended, finished, new). */
  lease?: RunLease;
}

/** A claim on a run by one process, kept alive by a heartbeat; another process may take the run over only after `expiresAt`. */
export interface RunLease {
  /** Unique per process: host id, pid and a random part. */
  owner: string;
  /** Epoch ms. */
  expiresAt: number;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export interface ApprovalRecord {
  approvalId: string;
  runId: string;
  /** The exact call being approved: tool name and arguments (a hash of both is the match key). */
  tool: string;
  args: unknown;
  callKey: string;
  reviewer: string;
  evidence?: unknown;
  recommendation?: string;
  status: ApprovalStatus;
  deadline?: number;
  decidedBy?: string;
  decidedAt?: number;
  comment?: string;
  createdAt: number;
  /** The execution that used this approval (an approval authorises one execution), and when. */
  consumedBy?: string;
  consumedAt?: number;
  /** The reviewer it had before an escalation re-assigned it. */
  escalatedFrom?: string;
}

export interface AuditEntry {
  at: number;
  approvalId?: string;
  runId?: string;
  actor: string;
  action: string;
  detail?: unknown;
}

export interface DecisionRecord {
  consumer: string;
  eventId: string;
  decision: unknown;
  decidedAt: number;
  /** The run that decided it and its attempts, when the consumer said. */
  runId?: string;
  attempts?: number;
  /** When it was published; absent while it waits in the outbox. */
  publishedAt?: number;
}

export interface DecisionMeta {
  runId?: string;
  attempts?: number;
  /** The consumer publishes decisions: keep this one in the outbox until markPublished. */
  publish?: boolean;
}

/** An accepted event waiting in a durable inbox until a consumer has decided it. */
export interface InboxEntry {
  inbox: string;
  eventId: string;
  payload: unknown;
  receivedAt: number;
  /** How many times it has been claimed (1 = first delivery). */
  deliveries: number;
}

export interface DeadLetter {
  consumer: string;
  eventId: string;
  payload: unknown;
  error: string;
  attempts: number;
  at: number;
}

export interface ApprovalDecision {
  status: 'approved' | 'rejected' | 'expired';
  by: string;
  comment?: string;
  at?: number;
  /**
   * Decide only while the approval is still as the caller read it: assigned to this reviewer and/or with
   * this deadline. Otherwise (an escalation in between) the store throws ApprovalChanged and decides nothing.
   */
  expect?: { reviewer?: string; deadline?: number };
}

/** A conversation kept across runs, scoped by its owner. */
export interface SessionRecord {
  owner: string;
  sessionId: string;
  /** Grows with every claim and append; a write names the version it read. */
  version: number;
  messageCount: number;
  /** The run writing the session now, and until when its lease holds. */
  holder?: string;
  heldUntil?: number;
  /** What a context policy stored (a summary of older turns), reused across runs. */
  summary?: unknown;
  createdAt: number;
  updatedAt: number;
}

/** A writer's hold on a session: who, at which version, and how long each write extends the lease. */
export interface SessionLease {
  holder: string;
  version: number;
  leaseMs: number;
}

/** One remembered fact. */
export interface MemoryRecord {
  id: string;
  owner: string;
  content: string;
  at: number;
}

export interface ApprovalReassignment {
  reviewer: string;
  deadline?: number;
  /** Re-assign only while the approval is as the caller read it (else ApprovalChanged): two sweeps escalate once. */
  expect?: { reviewer?: string; deadline?: number };
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres' | 'memory';
  close(): Promise<void>;

  // Runs and checkpoints
  putRun(run: RunRecord): Promise<void>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /**
   * Compare-and-set: writes `next`'s status, state, updatedAt and lease only if the stored run still has
   * `expected`'s status and updatedAt (as the caller read it) and holds no lease that is still valid at
   * `next.updatedAt`. True when this call won; of several processes claiming the same read, exactly one
   * does. `next.updatedAt` must differ from `expected.updatedAt`.
   */
  claimRun(next: RunRecord, expected: Pick<RunRecord, 'status' | 'updatedAt'>): Promise<boolean>;
  /** Extends the lease while `lease.owner` still holds it; false when another process took the run over. */
  renewLease(runId: string, lease: RunLease): Promise<boolean>;
  /**
   * Ends a segment of a run: writes its status, output, error, state and updatedAt and frees the lease,
   * only if `owner` still holds the lease. False (nothing written) when it lost the run to another process.
   */
  releaseRun(run: RunRecord, owner: string): Promise<boolean>;
  listRuns(filter?: { status?: RunStatus; limit?: number }): Promise<RunRecord[]>;
  /** Record a completed operation of a run (a model call, a tool call, a step) under a deterministic key. */
  putCheckpoint(runId: string, key: string, value: unknown): Promise<void>;
  getCheckpoints(runId: string): Promise<Map<string, unknown>>;

  // Approvals (human-in-the-loop) and their audit log. A change to an approval and its audit entry
  // are written in one transaction: both or neither.
  createApproval(approval: ApprovalRecord, audit?: AuditEntry): Promise<void>;
  getApproval(approvalId: string): Promise<ApprovalRecord | undefined>;
  findApproval(runId: string, callKey: string): Promise<ApprovalRecord | undefined>;
  listApprovals(filter?: { status?: ApprovalStatus; runId?: string }): Promise<ApprovalRecord[]>;
  /** Atomically decide a pending approval; throws a typed error if it is unknown or already decided. */
  decideApproval(approvalId: string, decision: ApprovalDecision, audit?: AuditEntry): Promise<ApprovalRecord>;
  /** Re-assign a pending approval (escalation), remembering the previous reviewer in `escalatedFrom`. */
  reassignApproval(approvalId: string, reassignment: ApprovalReassignment, audit?: AuditEntry): Promise<ApprovalRecord>;
  /**
   * Uses an approved approval for one execution, atomically: of several executions only the first
   * consumes it (the others get ApprovalNotUsable). The same `consumer` again gets the record back
   * (a resumed run finishing the execution it was authorised for); the audit entry is written once.
   */
  consumeApproval(approvalId: string, use: { consumer: string; at?: number }, audit?: AuditEntry): Promise<ApprovalRecord>;
  appendAudit(entry: AuditEntry): Promise<void>;
  listAudit(filter?: { approvalId?: string; runId?: string }): Promise<AuditEntry[]>;

  // Event processing: idempotency by event id, decisions, dead letters
  /** Stores the decision for (consumer, eventId) unless one exists; true when this call stored it. */
  recordDecision(consumer: string, eventId: string, decision: unknown, meta?: DecisionMeta): Promise<boolean>;
  getDecision(consumer: string, eventId: string): Promise<DecisionRecord | undefined>;
  listDecisions(filter?: { consumer?: string; limit?: number }): Promise<DecisionRecord[]>;
  countDecisions(consumer?: string): Promise<number>;
  putDeadLetter(letter: DeadLetter): Promise<void>;
  listDeadLetters(filter?: { consumer?: string }): Promise<DeadLetter[]>;

  // The decisions outbox: stored with `publish: true`, waiting for markPublished
  /** Oldest first: decisions of `consumer` stored at or before `decidedBefore` (default: now) and not yet published. */
  listUnpublished(consumer: string, filter?: { limit?: number; decidedBefore?: number }): Promise<DecisionRecord[]>;
  markPublished(consumer: string, eventId: string): Promise<void>;

  // The event inbox: accepted events, durable until decided (what a webhook answers 202 for)
  /** Adds an accepted event unless one with this id is already waiting; true when this call added it. */
  inboxPut(inbox: string, eventId: string, payload: unknown): Promise<boolean>;
  /** Takes up to `max` free entries (oldest first) for `owner` until `leaseMs` from now. */
  inboxClaim(inbox: string, owner: string, max: number, leaseMs: number): Promise<InboxEntry[]>;
  /** Extends the lease of every entry `owner` holds. */
  inboxRenew(inbox: string, owner: string, leaseMs: number): Promise<void>;
  /** Frees one entry (`eventId`) or every entry `owner` holds, for anyone to claim at once. */
  inboxRelease(inbox: string, owner: string, eventId?: string): Promise<void>;
  /** The event is done with (decided or dead-lettered). */
  inboxRemove(inbox: string, eventId: string): Promise<void>;
  inboxCount(inbox: string): Promise<number>;

  // Traces
  appendSpans(spans: readonly SpanRecord[]): Promise<void>;
  getTrace(runId: string): Promise<SpanRecord[]>;

  // Small key-value records (episodic memory of Reflexion, idempotency keys of tools)
  kvGet(namespace: string, key: string): Promise<unknown | undefined>;
  kvPut(namespace: string, key: string, value: unknown): Promise<void>;
  kvList(namespace: string): Promise<{ key: string; value: unknown }[]>;

  // Sessions: conversations kept across runs, keyed by (owner, id); an owner reaches only its own.
  getSession(owner: string, sessionId: string): Promise<SessionRecord | undefined>;
  /** Most recently used first; every owner's when `owner` is undefined (an operator's view). */
  listSessions(owner?: string): Promise<SessionRecord[]>;
  sessionMessages(owner: string, sessionId: string): Promise<Message[]>;
  /**
   * Takes the session for `holder` (creating it if new) when nobody holds a live lease, by a
   * conditional update on the version just read: of several claimants exactly one wins. The
   * claimed record, or undefined with the current one when another holds it.
   */
  claimSession(owner: string, sessionId: string, holder: string, leaseMs: number): Promise<{ claimed?: SessionRecord; current: SessionRecord }>;
  /**
   * Appends messages (and replaces the summary, when given) in one transaction, if `lease` still
   * holds the session at its version. The new version, or undefined when the lease was lost.
   */
  appendSession(owner: string, sessionId: string, lease: SessionLease, messages: readonly Message[], summary?: unknown): Promise<number | undefined>;
  releaseSession(owner: string, sessionId: string, holder: string): Promise<void>;
  /** True when there was such a session. */
  deleteSession(owner: string, sessionId: string): Promise<boolean>;

  // Long-term memory: facts per owner, found by full-text search (SQLite FTS5, PostgreSQL tsvector).
  /** Saves a fact unless the owner already has `cap`; undefined when at the cap. */
  addMemory(owner: string, content: string, cap: number): Promise<MemoryRecord | undefined>;
  /** The owner's facts matching any word of `query`, best first. */
  searchMemories(owner: string, query: string, limit: number): Promise<MemoryRecord[]>;
  countMemories(owner: string): Promise<number>;
}
