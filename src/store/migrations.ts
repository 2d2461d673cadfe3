/**
 * The store's schema as numbered migrations, shared as data by SQLite and
 * PostgreSQL. The SQL is the common subset of both dialects; the one real
 * difference, an auto-numbered key, is the `{{SEQ}}` placeholder. Every table
 * has `seq` so lists come back in insertion order; natural keys are UNIQUE
 * constraints, which both dialects accept as ON CONFLICT targets.
 *
 * Values are JSON in TEXT columns (not JSONB) so they round-trip exactly in
 * both backends, "\u0000" included. Times are epoch milliseconds as DOUBLE
 * PRECISION, which pg returns as a JS number (BIGINT would come back as a string).
 *
 * Append new migrations at the end; never edit one that has shipped.
 */
import { StoreError } from './errors.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
  /** Statements only one dialect has (full-text search), run after the shared ones. */
  only?: Partial<Record<Dialect, readonly string[]>>;
}

export const MIGRATIONS_TABLE = 'ap_schema_migrations';

const SEQ: Record<Dialect, string> = {
  sqlite: 'INTEGER PRIMARY KEY',
  postgres: 'BIGSERIAL PRIMARY KEY',
};

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: [
      `CREATE TABLE ap_runs (
        seq {{SEQ}},
        run_id TEXT NOT NULL UNIQUE,
        workflow TEXT NOT NULL,
        input TEXT,
        status TEXT NOT NULL,
        output TEXT,
        error TEXT,
        state TEXT,
        created_at DOUBLE PRECISION NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL
      )`,
      `CREATE INDEX ap_runs_status ON ap_runs (status, created_at)`,
      `CREATE INDEX ap_runs_created ON ap_runs (created_at)`,
      `CREATE TABLE ap_checkpoints (
        seq {{SEQ}},
        run_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT,
        at DOUBLE PRECISION NOT NULL,
        UNIQUE (run_id, key)
      )`,
      `CREATE TABLE ap_approvals (
        seq {{SEQ}},
        approval_id TEXT NOT NULL UNIQUE,
        run_id TEXT NOT NULL,
        tool TEXT NOT NULL,
        args TEXT,
        call_key TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        evidence TEXT,
        recommendation TEXT,
        status TEXT NOT NULL,
        deadline DOUBLE PRECISION,
        decided_by TEXT,
        decided_at DOUBLE PRECISION,
        comment TEXT,
        created_at DOUBLE PRECISION NOT NULL
      )`,
      `CREATE INDEX ap_approvals_run_call ON ap_approvals (run_id, call_key)`,
      `CREATE INDEX ap_approvals_status ON ap_approvals (status)`,
      `CREATE TABLE ap_audit (
        seq {{SEQ}},
        at DOUBLE PRECISION NOT NULL,
        approval_id TEXT,
        run_id TEXT,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT
      )`,
      `CREATE INDEX ap_audit_approval ON ap_audit (approval_id)`,
      `CREATE INDEX ap_audit_run ON ap_audit (run_id)`,
      `CREATE TABLE ap_decisions (
        seq {{SEQ}},
        consumer TEXT NOT NULL,
        event_id TEXT NOT NULL,
        decision TEXT,
        decided_at DOUBLE PRECISION NOT NULL,
        UNIQUE (consumer, event_id)
      )`,
      `CREATE TABLE ap_dead_letters (
        seq {{SEQ}},
        consumer TEXT NOT NULL,
        event_id TEXT NOT NULL,
        payload TEXT,
        error TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        at DOUBLE PRECISION NOT NULL,
        UNIQUE (consumer, event_id)
      )`,
      `CREATE TABLE ap_spans (
        seq {{SEQ}},
        trace_id TEXT NOT NULL,
        span_id TEXT NOT NULL,
        parent_id TEXT,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        start_time DOUBLE PRECISION NOT NULL,
        duration_ms DOUBLE PRECISION NOT NULL,
        status TEXT NOT NULL,
        attributes TEXT,
        error TEXT
      )`,
      `CREATE INDEX ap_spans_trace ON ap_spans (trace_id, start_time)`,
      `CREATE TABLE ap_kv (
        seq {{SEQ}},
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT,
        updated_at DOUBLE PRECISION NOT NULL,
        UNIQUE (namespace, key)
      )`,
    ],
  },
  {
    // The event inbox (a webhook answers 202 only once the event is here) and the decisions outbox
    // (published_at NULL = stored, not yet published). Decisions stored before this had no publisher to wait for.
    version: 2,
    name: 'event inbox and decision outbox',
    statements: [
      `CREATE TABLE ap_inbox (
        seq {{SEQ}},
        inbox TEXT NOT NULL,
        event_id TEXT NOT NULL,
        payload TEXT,
        received_at DOUBLE PRECISION NOT NULL,
        owner TEXT,
        lease_until DOUBLE PRECISION,
        deliveries INTEGER NOT NULL DEFAULT 0,
        UNIQUE (inbox, event_id)
      )`,
      `CREATE INDEX ap_inbox_order ON ap_inbox (inbox, seq)`,
      `ALTER TABLE ap_decisions ADD COLUMN run_id TEXT`,
      `ALTER TABLE ap_decisions ADD COLUMN attempts INTEGER`,
      `ALTER TABLE ap_decisions ADD COLUMN published_at DOUBLE PRECISION`,
      `UPDATE ap_decisions SET published_at = decided_at`,
      `CREATE INDEX ap_decisions_outbox ON ap_decisions (consumer, seq) WHERE published_at IS NULL`,
    ],
  },
  {
    version: 3,
    name: 'approval use, escalation marker, run leases',
    statements: [
      // Which execution used an approval (one approval authorises one execution), and when.
      `ALTER TABLE ap_approvals ADD COLUMN consumed_by TEXT`,
      `ALTER TABLE ap_approvals ADD COLUMN consumed_at DOUBLE PRECISION`,
      // The reviewer before an escalation: set in the same statement that re-assigns, so "escalated once" cannot be lost.
      `ALTER TABLE ap_approvals ADD COLUMN escalated_from TEXT`,
      // Who runs a run right now, and until when (renewed by a heartbeat); resume takes over only an expired lease.
      `ALTER TABLE ap_runs ADD COLUMN lease_owner TEXT`,
      `ALTER TABLE ap_runs ADD COLUMN lease_expires_at DOUBLE PRECISION`,
    ],
  },
  {
    version: 4,
    name: 'sessions and long-term memory',
    statements: [
      // One row per conversation. version grows with every claim and append: a write names the
      // version it read, so of two writers exactly one wins. holder/held_until is the lease of
      // the run writing it now (a killed holder's lease lapses).
      `CREATE TABLE ap_sessions (
        seq {{SEQ}},
        owner TEXT NOT NULL,
        session_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        message_count INTEGER NOT NULL,
        holder TEXT,
        held_until DOUBLE PRECISION,
        summary TEXT,
        created_at DOUBLE PRECISION NOT NULL,
        updated_at DOUBLE PRECISION NOT NULL,
        UNIQUE (owner, session_id)
      )`,
      `CREATE INDEX ap_sessions_updated ON ap_sessions (owner, updated_at)`,
      `CREATE TABLE ap_session_messages (
        seq {{SEQ}},
        owner TEXT NOT NULL,
        session_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        message TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL,
        UNIQUE (owner, session_id, position)
      )`,
    ],
    only: {
      sqlite: [
        `CREATE VIRTUAL TABLE ap_memories USING fts5(owner UNINDEXED, content, at UNINDEXED, tokenize = 'porter unicode61')`,
      ],
      postgres: [
        `CREATE TABLE ap_memories (
          seq BIGSERIAL PRIMARY KEY,
          owner TEXT NOT NULL,
          content TEXT NOT NULL,
          at DOUBLE PRECISION NOT NULL,
          tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED
        )`,
        `CREATE INDEX ap_memories_owner ON ap_memories (owner)`,
        `CREATE INDEX ap_memories_tsv ON ap_memories USING GIN (tsv)`,
      ],
    },
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The statements of one migration in one dialect. */
export function migrationSql(migration: Migration, dialect: Dialect): string[] {
  return [...migration.statements, ...(migration.only?.[dialect] ?? [])].map((s) => s.replaceAll('{{SEQ}}', SEQ[dialect]));
}

export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at DOUBLE PRECISION NOT NULL
)`;

/** The schema version a database is at (NULL before the first migration). */
export const SCHEMA_VERSION_SQL = `SELECT MAX(version) AS v FROM ${MIGRATIONS_TABLE}`;
export const APPLIED_MIGRATIONS_SQL = `SELECT version, name, applied_at FROM ${MIGRATIONS_TABLE} ORDER BY version`;
/** Params: version, name, applied_at (`?` placeholders; PostgreSQL renumbers them). */
export const RECORD_MIGRATION_SQL = `INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)`;

/** A database migrated by a newer agent-patterns must not be written by this one. */
export function refuseNewerSchema(version: number): void {
  if (version > LATEST_VERSION) {
    throw new StoreError(`the store's schema is at version ${version}, newer than this agent-patterns understands (${LATEST_VERSION}); upgrade agent-patterns`);
  }
}

export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: number;
}

export function toAppliedMigration(r: Record<string, unknown>): AppliedMigration {
  return { version: Number(r.version), name: r.name as string, appliedAt: Number(r.applied_at) };
}
