/**
 * The store for several processes and machines: PostgreSQL through a `pg`
 * Pool. Same contract, schema migrations and SQL text as the SQLite store.
 * The conditional writes are single statements, atomic under concurrency:
 * recordDecision is INSERT ... ON CONFLICT DO NOTHING (the loser of a race
 * waits for the winner's commit, then inserts nothing), decideApproval is
 * UPDATE ... WHERE status = 'pending' RETURNING (the loser re-checks the row
 * after the winner commits and matches nothing). A change to an approval and
 * its audit entry share one transaction. Migrations run under a
 * transaction-scoped advisory lock, so many workers may start at once.
 *
 * Importable on its own (`agent-patterns/postgres`); `pg` loads on connect.
 */
import type { Pool, PoolClient, PoolConfig, QueryResultRow } from 'pg';
import { ConfigError } from '../core/errors.js';
import { registerUrlPassword } from '../core/secrets.js';
import type { SpanRecord } from '../core/span.js';
import { ApprovalExists, expectations, notPendingError, ownUse, StoreError } from './errors.js';
import {
  APPLIED_MIGRATIONS_SQL, CREATE_MIGRATIONS_TABLE, MIGRATIONS, migrationSql, RECORD_MIGRATION_SQL, refuseNewerSchema, SCHEMA_VERSION_SQL,
  toAppliedMigration, type AppliedMigration,
} from './migrations.js';
import { MEMORY_SQL } from './memory-sql.js';
import { SQL, toPostgres, type QueryName } from './queries.js';
import {
  approvalParams, auditParams, checkLimit, claimParams, deadLetterParams, decisionParams, decode, encode, releaseParams, runParams, searchWords, spanParams,
  toApproval, toAudit, toDeadLetter, toDecision, toInboxEntries, toMemory, toRun, toSession, toSpan,
} from './rows.js';
import type {
  ApprovalDecision, ApprovalReassignment, ApprovalRecord, ApprovalStatus, AuditEntry, DeadLetter, DecisionMeta, DecisionRecord, InboxEntry,
  MemoryRecord, RunLease, RunRecord, RunStatus, SessionLease, SessionRecord, Store,
} from './types.js';
import type { Message } from '../core/messages.js';

export interface PostgresStoreOptions {
  /** Keep the tables in this schema (created if missing) instead of the connection's default. */
  schema?: string;
  /** Most connections this process opens. Default 10. */
  max?: number;
  /**
   * Use named (server-side prepared) statements. Default true; turn off
   * behind a pooler in transaction mode (e.g. PgBouncer) that cannot keep them.
   */
  preparedStatements?: boolean;
  /** Any other `pg` pool setting (ssl, timeouts, ...). */
  pool?: Omit<PoolConfig, 'connectionString'>;
}

type Row = QueryResultRow;
type PoolConstructor = new (config: PoolConfig) => Pool;

let driver: Promise<PoolConstructor> | undefined;

async function loadDriver(): Promise<PoolConstructor> {
  driver ??= import('pg').then(
    (m) => ((m as unknown as { default?: { Pool: PoolConstructor } }).default?.Pool ?? (m as unknown as { Pool: PoolConstructor }).Pool),
    (err: unknown) => {
      driver = undefined;
      throw new StoreError('the PostgreSQL store needs pg: npm install pg', { cause: err });
    },
  );
  return driver;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const SPANS_PER_INSERT = 500;
const PG_SQL = Object.fromEntries(
  (Object.keys(SQL) as QueryName[]).map((name) => [name, toPostgres(SQL[name])]),
) as Record<QueryName, string>;
/** "INSERT INTO ap_spans (...)": appendSpans adds one VALUES tuple per span. */
const SPAN_INSERT_HEAD = PG_SQL.appendSpan.slice(0, PG_SQL.appendSpan.indexOf(' VALUES'));

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly prepared: boolean,
    /** The schema holding the tables, when one was chosen. */
    readonly schema: string | undefined,
  ) {}

  /** Connects, creates the schema if asked for one, and applies pending migrations. */
  static async connect(connectionString: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const { schema } = options;
    if (schema !== undefined && !IDENTIFIER.test(schema)) {
      throw new ConfigError('schema', `"${schema}" is not a plain SQL identifier (letters, digits, _)`);
    }
    if (options.max !== undefined && (!Number.isInteger(options.max) || options.max < 1)) {
      throw new ConfigError('max', `must be a positive integer, got ${options.max}`);
    }
    registerUrlPassword(connectionString);
    const Pool = await loadDriver();
    const extra = schema ? `-c search_path=${schema}` : undefined;
    const poolOptions = options.pool?.options;
    const pool = new Pool({
      ...options.pool,
      connectionString,
      max: options.max ?? options.pool?.max ?? 10,
      ...(extra || poolOptions ? { options: [poolOptions, extra].filter(Boolean).join(' ') } : {}),
    });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const store = new PostgresStore(pool, options.preparedStatements ?? true, schema);
    try {
      await store.migrate();
    } catch (err) {
      await pool.end().catch(() => {});
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot open PostgreSQL store: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return store;
  }

  /** One statement on the pool, or on `client` inside a transaction. */
  private async q(name: QueryName, values: unknown[], client?: PoolClient): Promise<{ rows: Row[]; rowCount: number }> {
    if (this.closed) throw new StoreError('the store is closed');
    const on = client ?? this.pool;
    const res = this.prepared
      ? await on.query({ name: `ap_${name}`, text: PG_SQL[name], values })
      : await on.query(PG_SQL[name], values);
    return { rows: res.rows, rowCount: res.rowCount ?? 0 };
  }

  /** `body` in one transaction on one connection of the pool. */
  private async transaction<T>(body: (client: PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreError('the store is closed');
    const client = await this.pool.connect();
    try {
      return await inTransaction(client, () => body(client));
    } finally {
      client.release();
    }
  }

  /** One conditional change (an UPDATE ... RETURNING) and, when it changed a row, its audit entry: one transaction. */
  private async changeAudited(query: QueryName, params: unknown[], audit: AuditEntry | undefined): Promise<Row | undefined> {
    const entry = audit && auditParams(audit);
    if (!entry) return (await this.q(query, params)).rows[0];
    return this.transaction(async (client) => {
      const { rows } = await this.q(query, params, client);
      if (rows[0]) await this.q('appendAudit', entry, client);
      return rows[0];
    });
  }

  /**
   * One transaction per pending migration, each under an advisory lock keyed
   * by the schema, re-reading the version once it holds the lock.
   */
  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      for (const migration of MIGRATIONS) {
        await inTransaction(client, async () => {
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`agent-patterns:migrate:${this.schema ?? ''}`]);
          if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
          await client.query(CREATE_MIGRATIONS_TABLE);
          const version = await currentVersion(client);
          refuseNewerSchema(version);
          if (version < migration.version) {
            for (const sql of migrationSql(migration, 'postgres')) await client.query(sql);
            await client.query(toPostgres(RECORD_MIGRATION_SQL), [migration.version, migration.name, Date.now()]);
          }
        });
      }
    } finally {
      client.release();
    }
  }

  /** The schema version this database is at (for diagnostics and tests). */
  async schemaVersion(): Promise<number> {
    return currentVersion(this.pool);
  }

  /** The migrations recorded as applied, oldest first. */
  async appliedMigrations(): Promise<AppliedMigration[]> {
    const { rows } = await this.pool.query(APPLIED_MIGRATIONS_SQL);
    return rows.map(toAppliedMigration);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  async putRun(run: RunRecord): Promise<void> {
    await this.q('putRun', runParams(run));
  }

  async claimRun(next: RunRecord, expected: Pick<RunRecord, 'status' | 'updatedAt'>): Promise<boolean> {
    return (await this.q('claimRun', claimParams(next, expected))).rowCount === 1;
  }

  async renewLease(runId: string, lease: RunLease): Promise<boolean> {
    return (await this.q('renewLease', [lease.expiresAt, runId, lease.owner])).rowCount === 1;
  }

  async releaseRun(run: RunRecord, owner: string): Promise<boolean> {
    return (await this.q('releaseRun', releaseParams(run, owner))).rowCount === 1;
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const { rows } = await this.q('getRun', [runId]);
    return rows[0] && toRun(rows[0]);
  }

  async listRuns(filter: { status?: RunStatus; limit?: number } = {}): Promise<RunRecord[]> {
    const status = filter.status ?? null;
    const { rows } = await this.q('listRuns', [status, status, checkLimit(filter.limit) ?? null]);
    return rows.map(toRun);
  }

  async putCheckpoint(runId: string, key: string, value: unknown): Promise<void> {
    await this.q('putCheckpoint', [runId, key, encode(value, `checkpoint ${key}`), Date.now()]);
  }

  async getCheckpoints(runId: string): Promise<Map<string, unknown>> {
    const { rows } = await this.q('getCheckpoints', [runId]);
    return new Map(rows.map((r) => [r.key as string, decode(r.value)]));
  }

  async createApproval(approval: ApprovalRecord, audit?: AuditEntry): Promise<void> {
    const params = approvalParams(approval);
    const entry = audit && auditParams(audit);
    const create = async (client?: PoolClient) => {
      if ((await this.q('createApproval', params, client)).rowCount === 0) throw new ApprovalExists(approval.approvalId);
      if (entry) await this.q('appendAudit', entry, client);
    };
    await (entry ? this.transaction(create) : create());
  }

  async getApproval(approvalId: string): Promise<ApprovalRecord | undefined> {
    const { rows } = await this.q('getApproval', [approvalId]);
    return rows[0] && toApproval(rows[0]);
  }

  async findApproval(runId: string, callKey: string): Promise<ApprovalRecord | undefined> {
    const { rows } = await this.q('findApproval', [runId, callKey]);
    return rows[0] && toApproval(rows[0]);
  }

  async listApprovals(filter: { status?: ApprovalStatus; runId?: string } = {}): Promise<ApprovalRecord[]> {
    const status = filter.status ?? null;
    const runId = filter.runId ?? null;
    const { rows } = await this.q('listApprovals', [status, status, runId, runId]);
    return rows.map(toApproval);
  }

  async decideApproval(approvalId: string, decision: ApprovalDecision, audit?: AuditEntry): Promise<ApprovalRecord> {
    const row = await this.changeAudited('decideApproval', [
      decision.status, decision.by, decision.at ?? Date.now(), decision.comment ?? null, approvalId, ...expectations(decision),
    ], audit);
    return row ? toApproval(row) : this.notPending(approvalId);
  }

  async reassignApproval(approvalId: string, change: ApprovalReassignment, audit?: AuditEntry): Promise<ApprovalRecord> {
    const row = await this.changeAudited('reassignApproval', [change.reviewer, change.deadline ?? null, approvalId, ...expectations(change)], audit);
    return row ? toApproval(row) : this.notPending(approvalId);
  }

  async consumeApproval(approvalId: string, use: { consumer: string; at?: number }, audit?: AuditEntry): Promise<ApprovalRecord> {
    const row = await this.changeAudited('consumeApproval', [use.consumer, use.at ?? Date.now(), approvalId], audit);
    return row ? toApproval(row) : ownUse(approvalId, await this.getApproval(approvalId), use.consumer);
  }

  private async notPending(approvalId: string): Promise<never> {
    throw notPendingError(approvalId, await this.getApproval(approvalId));
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.q('appendAudit', auditParams(entry));
  }

  async listAudit(filter: { approvalId?: string; runId?: string } = {}): Promise<AuditEntry[]> {
    const approvalId = filter.approvalId ?? null;
    const runId = filter.runId ?? null;
    const { rows } = await this.q('listAudit', [approvalId, approvalId, runId, runId]);
    return rows.map(toAudit);
  }

  async recordDecision(consumer: string, eventId: string, decision: unknown, meta?: DecisionMeta): Promise<boolean> {
    const { rowCount } = await this.q('recordDecision', decisionParams(consumer, eventId, decision, meta));
    return rowCount === 1;
  }

  async getDecision(consumer: string, eventId: string): Promise<DecisionRecord | undefined> {
    const { rows } = await this.q('getDecision', [consumer, eventId]);
    return rows[0] && toDecision(rows[0]);
  }

  async listDecisions(filter: { consumer?: string; limit?: number } = {}): Promise<DecisionRecord[]> {
    const consumer = filter.consumer ?? null;
    const { rows } = await this.q('listDecisions', [consumer, consumer, checkLimit(filter.limit) ?? null]);
    return rows.map(toDecision);
  }

  async countDecisions(consumer?: string): Promise<number> {
    const c = consumer ?? null;
    const { rows } = await this.q('countDecisions', [c, c]);
    return Number(rows[0]!.n); // COUNT is BIGINT: pg hands it over as a string
  }

  async putDeadLetter(letter: DeadLetter): Promise<void> {
    await this.q('putDeadLetter', deadLetterParams(letter));
  }

  async listDeadLetters(filter: { consumer?: string } = {}): Promise<DeadLetter[]> {
    const consumer = filter.consumer ?? null;
    const { rows } = await this.q('listDeadLetters', [consumer, consumer]);
    return rows.map(toDeadLetter);
  }

  async listUnpublished(consumer: string, filter: { limit?: number; decidedBefore?: number } = {}): Promise<DecisionRecord[]> {
    const { rows } = await this.q('listUnpublished', [consumer, filter.decidedBefore ?? Date.now(), checkLimit(filter.limit) ?? null]);
    return rows.map(toDecision);
  }

  async markPublished(consumer: string, eventId: string): Promise<void> {
    await this.q('markPublished', [Date.now(), consumer, eventId]);
  }

  async inboxPut(inbox: string, eventId: string, payload: unknown): Promise<boolean> {
    const { rowCount } = await this.q('inboxPut', [inbox, eventId, encode(payload, `event ${eventId}`), Date.now()]);
    return rowCount === 1;
  }

  async inboxClaim(inbox: string, owner: string, max: number, leaseMs: number): Promise<InboxEntry[]> {
    const now = Date.now();
    const { rows } = await this.q('inboxClaim', [owner, now + leaseMs, inbox, now, checkLimit(max), now]);
    return toInboxEntries(rows);
  }

  async inboxRenew(inbox: string, owner: string, leaseMs: number): Promise<void> {
    await this.q('inboxRenew', [Date.now() + leaseMs, inbox, owner]);
  }

  async inboxRelease(inbox: string, owner: string, eventId?: string): Promise<void> {
    await this.q('inboxRelease', [inbox, owner, eventId ?? null, eventId ?? null]);
  }

  async inboxRemove(inbox: string, eventId: string): Promise<void> {
    await this.q('inboxRemove', [inbox, eventId]);
  }

  async inboxCount(inbox: string): Promise<number> {
    const { rows } = await this.q('inboxCount', [inbox]);
    return Number(rows[0]!.n);
  }

  /** Multi-row INSERTs (a batch is one round trip per 500 spans), all in one transaction. */
  async appendSpans(spans: readonly SpanRecord[]): Promise<void> {
    if (spans.length === 0) return;
    if (this.closed) throw new StoreError('the store is closed');
    const inserts: { text: string; values: unknown[] }[] = [];
    for (let i = 0; i < spans.length; i += SPANS_PER_INSERT) {
      const chunk = spans.slice(i, i + SPANS_PER_INSERT);
      const values: unknown[] = [];
      const tuples = chunk.map((s) => {
        const base = values.length;
        values.push(...spanParams(s));
        return `(${Array.from({ length: 10 }, (_, k) => `$${base + k + 1}`).join(', ')})`;
      });
      inserts.push({ text: `${SPAN_INSERT_HEAD} VALUES ${tuples.join(', ')}`, values });
    }
    if (inserts.length === 1) {
      await this.pool.query(inserts[0]!.text, inserts[0]!.values);
      return;
    }
    const client = await this.pool.connect();
    try {
      await inTransaction(client, async () => {
        for (const ins of inserts) await client.query(ins.text, ins.values);
      });
    } finally {
      client.release();
    }
  }

  async getTrace(runId: string): Promise<SpanRecord[]> {
    const { rows } = await this.q('getTrace', [runId]);
    return rows.map(toSpan);
  }

  async kvGet(namespace: string, key: string): Promise<unknown | undefined> {
    const { rows } = await this.q('kvGet', [namespace, key]);
    return rows[0] && decode(rows[0].value);
  }

  async kvPut(namespace: string, key: string, value: unknown): Promise<void> {
    await this.q('kvPut', [namespace, key, encode(value, `${namespace}/${key}`), Date.now()]);
  }

  async kvList(namespace: string): Promise<{ key: string; value: unknown }[]> {
    const { rows } = await this.q('kvList', [namespace]);
    return rows.map((r) => ({ key: r.key as string, value: decode(r.value) }));
  }

  async getSession(owner: string, sessionId: string): Promise<SessionRecord | undefined> {
    const { rows } = await this.q('getSession', [owner, sessionId]);
    return rows[0] && toSession(rows[0]);
  }

  async listSessions(owner?: string): Promise<SessionRecord[]> {
    const o = owner ?? null;
    const { rows } = await this.q('listSessions', [o, o]);
    return rows.map(toSession);
  }

  async sessionMessages(owner: string, sessionId: string): Promise<Message[]> {
    const { rows } = await this.q('sessionMessages', [owner, sessionId]);
    return rows.map((r) => decode(r.message) as Message);
  }

  async claimSession(owner: string, sessionId: string, holder: string, leaseMs: number): Promise<{ claimed?: SessionRecord; current: SessionRecord }> {
    const now = Date.now();
    await this.q('createSession', [owner, sessionId, now, now]);
    const read = toSession((await this.q('getSession', [owner, sessionId])).rows[0]!);
    const { rows } = await this.q('claimSession', [holder, now + leaseMs, now, owner, sessionId, read.version, now]);
    if (rows[0]) return { claimed: toSession(rows[0]), current: toSession(rows[0]) };
    // Refused: what holds it now (re-read, the version read above may be stale).
    return { current: toSession((await this.q('getSession', [owner, sessionId])).rows[0]!) };
  }

  async appendSession(owner: string, sessionId: string, lease: SessionLease, messages: readonly Message[], summary?: unknown): Promise<number | undefined> {
    const now = Date.now();
    const encoded = messages.map((m, i) => encode(m, `session message ${i}`));
    const summaryText = summary === undefined ? null : encode(summary, 'session summary');
    return this.transaction(async (client) => {
      const { rows } = await client.query(PG_SQL.advanceSession, [messages.length, now + lease.leaseMs, now, summaryText, owner, sessionId, lease.holder, lease.version]);
      if (!rows[0]) return undefined;
      const first = Number(rows[0].message_count) - messages.length;
      for (let i = 0; i < encoded.length; i++) await client.query(PG_SQL.appendSessionMessage, [owner, sessionId, first + i, encoded[i], now]);
      return Number(rows[0].version);
    });
  }

  async releaseSession(owner: string, sessionId: string, holder: string): Promise<void> {
    await this.q('releaseSession', [owner, sessionId, holder]);
  }

  async deleteSession(owner: string, sessionId: string): Promise<boolean> {
    return this.transaction(async (client) => {
      await client.query(PG_SQL.deleteSessionMessages, [owner, sessionId]);
      return ((await client.query(PG_SQL.deleteSession, [owner, sessionId])).rowCount ?? 0) === 1;
    });
  }

  /** The count and the insert under a per-owner advisory lock, so concurrent saves cannot pass the cap together. */
  async addMemory(owner: string, content: string, cap: number): Promise<MemoryRecord | undefined> {
    const at = Date.now();
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`agent-patterns:memory:${owner}`]);
      if (Number((await client.query(MEMORY_SQL.postgres.count, [owner])).rows[0].n) >= cap) return undefined;
      const { rows } = await client.query(MEMORY_SQL.postgres.insert, [owner, content, at]);
      return toMemory({ ...rows[0], owner, content, at });
    });
  }

  async searchMemories(owner: string, query: string, limit: number): Promise<MemoryRecord[]> {
    const words = searchWords(query);
    if (words.length === 0) return [];
    if (this.closed) throw new StoreError('the store is closed');
    const { rows } = await this.pool.query(MEMORY_SQL.postgres.search, [owner, MEMORY_SQL.postgres.match(words), limit]);
    return rows.map(toMemory);
  }

  async countMemories(owner: string): Promise<number> {
    if (this.closed) throw new StoreError('the store is closed');
    return Number((await this.pool.query(MEMORY_SQL.postgres.count, [owner])).rows[0].n);
  }

}

async function currentVersion(client: Pool | PoolClient): Promise<number> {
  const { rows } = await client.query(SCHEMA_VERSION_SQL);
  return Number(rows[0]?.v ?? 0);
}

/** Runs `body` in one transaction on `client`: COMMIT when it resolves, ROLLBACK and rethrow when it throws. */
async function inTransaction<T>(client: PoolClient, body: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await body();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
