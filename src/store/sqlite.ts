/**
 * The default store: one SQLite file through better-sqlite3 (12.x), in WAL
 * mode so readers never block the writer and several processes can share the
 * file. The driver loads lazily, so it stays an optional dependency.
 * Statements are prepared once per store. better-sqlite3 is synchronous, so
 * every method is atomic within a process; across processes the conditional
 * writes (recordDecision, decideApproval, consumeApproval, claimRun) are single
 * statements, and a change with its audit entry is one IMMEDIATE transaction.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { SpanRecord } from '../core/span.js';
import { ApprovalExists, expectations, notPendingError, ownUse, StoreError } from './errors.js';
import {
  APPLIED_MIGRATIONS_SQL, CREATE_MIGRATIONS_TABLE, MIGRATIONS, migrationSql, RECORD_MIGRATION_SQL, refuseNewerSchema, SCHEMA_VERSION_SQL,
  toAppliedMigration, type AppliedMigration,
} from './migrations.js';
import { MEMORY_SQL } from './memory-sql.js';
import { SQL, type QueryName } from './queries.js';
import {
  approvalParams, auditParams, checkLimit, claimParams, deadLetterParams, decisionParams, decode, encode, releaseParams, runParams, searchWords, spanParams,
  toApproval, toAudit, toDeadLetter, toDecision, toInboxEntries, toMemory, toRun, toSession, toSpan,
} from './rows.js';
import type {
  ApprovalDecision, ApprovalReassignment, ApprovalRecord, ApprovalStatus, AuditEntry, DeadLetter, DecisionMeta, DecisionRecord, InboxEntry,
  MemoryRecord, RunLease, RunRecord, RunStatus, SessionLease, SessionRecord, Store,
} from './types.js';
import type { Message } from '../core/messages.js';

export const DEFAULT_SQLITE_PATH = './.agent-patterns/state.db';

export interface SqliteStoreOptions {
  /** How long a write waits for another process's lock before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
  /** False: a missing file is a StoreError instead of a new store (commands that only read or decide). Default true. */
  create?: boolean;
}

type Row = Record<string, unknown>;
type DatabaseConstructor = typeof BetterSqlite3;

let driver: Promise<DatabaseConstructor> | undefined;

async function loadDriver(): Promise<DatabaseConstructor> {
  driver ??= import('better-sqlite3').then(
    (m) => ((m as { default?: DatabaseConstructor }).default ?? (m as unknown as DatabaseConstructor)),
    (err: unknown) => {
      driver = undefined;
      throw new StoreError('the SQLite store needs better-sqlite3 12.x: npm install better-sqlite3@12', { cause: err });
    },
  );
  return driver;
}

const NO_LIMIT = -1;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly stmts: Record<QueryName, BetterSqlite3.Statement>;
  private readonly appendSpansTx: (spans: readonly SpanRecord[]) => void;

  private constructor(
    private readonly db: BetterSqlite3.Database,
    /** The file, or ':memory:'. */
    readonly path: string,
  ) {
    migrate(db);
    this.stmts = Object.fromEntries(
      (Object.keys(SQL) as QueryName[]).map((name) => [name, db.prepare(SQL[name])]),
    ) as Record<QueryName, BetterSqlite3.Statement>;
    const appendSpan = this.stmts.appendSpan;
    this.appendSpansTx = db.transaction((spans: readonly SpanRecord[]) => {
      for (const s of spans) appendSpan.run(spanParams(s));
    });
  }

  /** Opens (creating the file and its folder if needed, unless `create: false`) and migrates the store. */
  static async open(path: string = DEFAULT_SQLITE_PATH, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const Database = await loadDriver();
    const memory = path === ':memory:';
    const file = memory ? path : resolve(path);
    if (!memory && options.create === false && !existsSync(file)) throw new StoreError(`no store at ${file} (nothing has been stored there yet)`);
    if (!memory) mkdirSync(dirname(file), { recursive: true });
    let db: BetterSqlite3.Database;
    try {
      db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
    } catch (err) {
      throw new StoreError(`cannot open SQLite store at ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    try {
      if (!memory) db.pragma('journal_mode = WAL');
      // With WAL, NORMAL loses nothing on a process crash (only, at worst, the last commits on power loss).
      db.pragma('synchronous = NORMAL');
      return new SqliteStore(db, file);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** The schema version this file is at (for diagnostics and tests). */
  async schemaVersion(): Promise<number> {
    return currentVersion(this.db);
  }

  /** The migrations recorded as applied, oldest first. */
  async appliedMigrations(): Promise<AppliedMigration[]> {
    const rows = this.db.prepare(APPLIED_MIGRATIONS_SQL).all() as Row[];
    return rows.map(toAppliedMigration);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async putRun(run: RunRecord): Promise<void> {
    this.stmts.putRun.run(runParams(run));
  }

  async claimRun(next: RunRecord, expected: Pick<RunRecord, 'status' | 'updatedAt'>): Promise<boolean> {
    return this.stmts.claimRun.run(claimParams(next, expected)).changes === 1;
  }

  async renewLease(runId: string, lease: RunLease): Promise<boolean> {
    return this.stmts.renewLease.run(lease.expiresAt, runId, lease.owner).changes === 1;
  }

  async releaseRun(run: RunRecord, owner: string): Promise<boolean> {
    return this.stmts.releaseRun.run(releaseParams(run, owner)).changes === 1;
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const row = this.stmts.getRun.get(runId) as Row | undefined;
    return row && toRun(row);
  }

  async listRuns(filter: { status?: RunStatus; limit?: number } = {}): Promise<RunRecord[]> {
    const status = filter.status ?? null;
    const rows = this.stmts.listRuns.all(status, status, checkLimit(filter.limit) ?? NO_LIMIT) as Row[];
    return rows.map(toRun);
  }

  async putCheckpoint(runId: string, key: string, value: unknown): Promise<void> {
    this.stmts.putCheckpoint.run(runId, key, encode(value, `checkpoint ${key}`), Date.now());
  }

  async getCheckpoints(runId: string): Promise<Map<string, unknown>> {
    const rows = this.stmts.getCheckpoints.all(runId) as Row[];
    return new Map(rows.map((r) => [r.key as string, decode(r.value)]));
  }

  async createApproval(approval: ApprovalRecord, audit?: AuditEntry): Promise<void> {
    const params = approvalParams(approval);
    const entry = audit && auditParams(audit);
    this.transaction(() => {
      if (this.stmts.createApproval.run(params).changes === 0) throw new ApprovalExists(approval.approvalId);
      if (entry) this.stmts.appendAudit.run(entry);
    });
  }

  async getApproval(approvalId: string): Promise<ApprovalRecord | undefined> {
    const row = this.stmts.getApproval.get(approvalId) as Row | undefined;
    return row && toApproval(row);
  }

  async findApproval(runId: string, callKey: string): Promise<ApprovalRecord | undefined> {
    const row = this.stmts.findApproval.get(runId, callKey) as Row | undefined;
    return row && toApproval(row);
  }

  async listApprovals(filter: { status?: ApprovalStatus; runId?: string } = {}): Promise<ApprovalRecord[]> {
    const status = filter.status ?? null;
    const runId = filter.runId ?? null;
    return (this.stmts.listApprovals.all(status, status, runId, runId) as Row[]).map(toApproval);
  }

  async decideApproval(approvalId: string, decision: ApprovalDecision, audit?: AuditEntry): Promise<ApprovalRecord> {
    const row = this.changeAudited('decideApproval', [
      decision.status, decision.by, decision.at ?? Date.now(), decision.comment ?? null, approvalId, ...expectations(decision),
    ], audit);
    return row ? toApproval(row) : this.notPending(approvalId);
  }

  async reassignApproval(approvalId: string, change: ApprovalReassignment, audit?: AuditEntry): Promise<ApprovalRecord> {
    const row = this.changeAudited('reassignApproval', [change.reviewer, change.deadline ?? null, approvalId, ...expectations(change)], audit);
    return row ? toApproval(row) : this.notPending(approvalId);
  }

  async consumeApproval(approvalId: string, use: { consumer: string; at?: number }, audit?: AuditEntry): Promise<ApprovalRecord> {
    const row = this.changeAudited('consumeApproval', [use.consumer, use.at ?? Date.now(), approvalId], audit);
    return row ? toApproval(row) : ownUse(approvalId, await this.getApproval(approvalId), use.consumer);
  }

  /** One conditional change (an UPDATE ... RETURNING) and, when it changed a row, its audit entry: one transaction. */
  private changeAudited(query: QueryName, params: unknown[], audit: AuditEntry | undefined): Row | undefined {
    const entry = audit && auditParams(audit);
    return this.transaction(() => {
      const row = this.stmts[query].get(params) as Row | undefined;
      if (row && entry) this.stmts.appendAudit.run(entry);
      return row;
    });
  }

  /** Takes the write lock first (IMMEDIATE), so another process waits instead of failing mid-way. */
  private transaction<T>(body: () => T): T {
    return this.db.transaction(body).immediate();
  }

  private notPending(approvalId: string): never {
    const row = this.stmts.getApproval.get(approvalId) as Row | undefined;
    throw notPendingError(approvalId, row && toApproval(row));
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.stmts.appendAudit.run(auditParams(entry));
  }

  async listAudit(filter: { approvalId?: string; runId?: string } = {}): Promise<AuditEntry[]> {
    const approvalId = filter.approvalId ?? null;
    const runId = filter.runId ?? null;
    return (this.stmts.listAudit.all(approvalId, approvalId, runId, runId) as Row[]).map(toAudit);
  }

  async recordDecision(consumer: string, eventId: string, decision: unknown, meta?: DecisionMeta): Promise<boolean> {
    return this.stmts.recordDecision.run(decisionParams(consumer, eventId, decision, meta)).changes === 1;
  }

  async getDecision(consumer: string, eventId: string): Promise<DecisionRecord | undefined> {
    const row = this.stmts.getDecision.get(consumer, eventId) as Row | undefined;
    return row && toDecision(row);
  }

  async listDecisions(filter: { consumer?: string; limit?: number } = {}): Promise<DecisionRecord[]> {
    const consumer = filter.consumer ?? null;
    const rows = this.stmts.listDecisions.all(consumer, consumer, checkLimit(filter.limit) ?? NO_LIMIT) as Row[];
    return rows.map(toDecision);
  }

  async countDecisions(consumer?: string): Promise<number> {
    const c = consumer ?? null;
    return Number((this.stmts.countDecisions.get(c, c) as Row).n);
  }

  async putDeadLetter(letter: DeadLetter): Promise<void> {
    this.stmts.putDeadLetter.run(deadLetterParams(letter));
  }

  async listDeadLetters(filter: { consumer?: string } = {}): Promise<DeadLetter[]> {
    const consumer = filter.consumer ?? null;
    return (this.stmts.listDeadLetters.all(consumer, consumer) as Row[]).map(toDeadLetter);
  }

  async listUnpublished(consumer: string, filter: { limit?: number; decidedBefore?: number } = {}): Promise<DecisionRecord[]> {
    const rows = this.stmts.listUnpublished.all(consumer, filter.decidedBefore ?? Date.now(), checkLimit(filter.limit) ?? NO_LIMIT) as Row[];
    return rows.map(toDecision);
  }

  async markPublished(consumer: string, eventId: string): Promise<void> {
    this.stmts.markPublished.run(Date.now(), consumer, eventId);
  }

  async inboxPut(inbox: string, eventId: string, payload: unknown): Promise<boolean> {
    return this.stmts.inboxPut.run(inbox, eventId, encode(payload, `event ${eventId}`), Date.now()).changes === 1;
  }

  async inboxClaim(inbox: string, owner: string, max: number, leaseMs: number): Promise<InboxEntry[]> {
    const now = Date.now();
    return toInboxEntries(this.stmts.inboxClaim.all(owner, now + leaseMs, inbox, now, checkLimit(max), now) as Row[]);
  }

  async inboxRenew(inbox: string, owner: string, leaseMs: number): Promise<void> {
    this.stmts.inboxRenew.run(Date.now() + leaseMs, inbox, owner);
  }

  async inboxRelease(inbox: string, owner: string, eventId?: string): Promise<void> {
    this.stmts.inboxRelease.run(inbox, owner, eventId ?? null, eventId ?? null);
  }

  async inboxRemove(inbox: string, eventId: string): Promise<void> {
    this.stmts.inboxRemove.run(inbox, eventId);
  }

  async inboxCount(inbox: string): Promise<number> {
    return Number((this.stmts.inboxCount.get(inbox) as Row).n);
  }

  async appendSpans(spans: readonly SpanRecord[]): Promise<void> {
    if (spans.length > 0) this.appendSpansTx(spans);
  }

  async getTrace(runId: string): Promise<SpanRecord[]> {
    return (this.stmts.getTrace.all(runId) as Row[]).map(toSpan);
  }

  async kvGet(namespace: string, key: string): Promise<unknown | undefined> {
    const row = this.stmts.kvGet.get(namespace, key) as Row | undefined;
    return row && decode(row.value);
  }

  async kvPut(namespace: string, key: string, value: unknown): Promise<void> {
    this.stmts.kvPut.run(namespace, key, encode(value, `${namespace}/${key}`), Date.now());
  }

  async kvList(namespace: string): Promise<{ key: string; value: unknown }[]> {
    return (this.stmts.kvList.all(namespace) as Row[]).map((r) => ({ key: r.key as string, value: decode(r.value) }));
  }

  async getSession(owner: string, sessionId: string): Promise<SessionRecord | undefined> {
    const row = this.stmts.getSession.get(owner, sessionId) as Row | undefined;
    return row && toSession(row);
  }

  async listSessions(owner?: string): Promise<SessionRecord[]> {
    const o = owner ?? null;
    return (this.stmts.listSessions.all(o, o) as Row[]).map(toSession);
  }

  async sessionMessages(owner: string, sessionId: string): Promise<Message[]> {
    return (this.stmts.sessionMessages.all(owner, sessionId) as Row[]).map((r) => decode(r.message) as Message);
  }

  async claimSession(owner: string, sessionId: string, holder: string, leaseMs: number): Promise<{ claimed?: SessionRecord; current: SessionRecord }> {
    const now = Date.now();
    this.stmts.createSession.run(owner, sessionId, now, now);
    const read = toSession(this.stmts.getSession.get(owner, sessionId) as Row);
    const row = this.stmts.claimSession.get(holder, now + leaseMs, now, owner, sessionId, read.version, now) as Row | undefined;
    if (row) return { claimed: toSession(row), current: toSession(row) };
    return { current: toSession(this.stmts.getSession.get(owner, sessionId) as Row) };
  }

  async appendSession(owner: string, sessionId: string, lease: SessionLease, messages: readonly Message[], summary?: unknown): Promise<number | undefined> {
    const now = Date.now();
    const encoded = messages.map((m, i) => encode(m, `session message ${i}`));
    const summaryText = summary === undefined ? null : encode(summary, 'session summary');
    return this.db.transaction(() => {
      const row = this.stmts.advanceSession.get(messages.length, now + lease.leaseMs, now, summaryText, owner, sessionId, lease.holder, lease.version) as Row | undefined;
      if (!row) return undefined;
      const first = Number(row.message_count) - messages.length;
      encoded.forEach((m, i) => this.stmts.appendSessionMessage.run(owner, sessionId, first + i, m, now));
      return Number(row.version);
    }).immediate();
  }

  async releaseSession(owner: string, sessionId: string, holder: string): Promise<void> {
    this.stmts.releaseSession.run(owner, sessionId, holder);
  }

  async deleteSession(owner: string, sessionId: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.stmts.deleteSessionMessages.run(owner, sessionId);
      return this.stmts.deleteSession.run(owner, sessionId).changes === 1;
    }).immediate();
  }

  async addMemory(owner: string, content: string, cap: number): Promise<MemoryRecord | undefined> {
    const at = Date.now();
    return this.db.transaction(() => {
      if (Number((this.db.prepare(MEMORY_SQL.sqlite.count).get(owner) as Row).n) >= cap) return undefined;
      const row = this.db.prepare(MEMORY_SQL.sqlite.insert).get(owner, content, at) as Row;
      return toMemory({ ...row, owner, content, at });
    }).immediate();
  }

  async searchMemories(owner: string, query: string, limit: number): Promise<MemoryRecord[]> {
    const words = searchWords(query);
    if (words.length === 0) return [];
    return (this.db.prepare(MEMORY_SQL.sqlite.search).all(owner, MEMORY_SQL.sqlite.match(words), limit) as Row[]).map(toMemory);
  }

  async countMemories(owner: string): Promise<number> {
    return Number((this.db.prepare(MEMORY_SQL.sqlite.count).get(owner) as Row).n);
  }
}

function currentVersion(db: BetterSqlite3.Database): number {
  const row = db.prepare(SCHEMA_VERSION_SQL).get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies the pending migrations, each in its own IMMEDIATE transaction (which
 * takes the write lock first, so two processes opening a new file at once
 * apply each migration exactly once). Reopening an up-to-date file writes nothing.
 */
function migrate(db: BetterSqlite3.Database): void {
  db.exec(CREATE_MIGRATIONS_TABLE);
  const known = currentVersion(db);
  refuseNewerSchema(known);
  for (const migration of MIGRATIONS) {
    if (migration.version <= known) continue;
    db.transaction(() => {
      if (currentVersion(db) >= migration.version) return; // another process got here first
      for (const sql of migrationSql(migration, 'sqlite')) db.exec(sql);
      db.prepare(RECORD_MIGRATION_SQL).run(migration.version, migration.name, Date.now());
    }).immediate();
  }
}
