/**
 * Every statement the store runs, written once with `?` placeholders in the
 * SQL both SQLite and PostgreSQL accept (PostgreSQL gets them renumbered to
 * $1, $2, ...). Optional filters are `(CAST(? AS TEXT) IS NULL OR col = ?)`:
 * the cast lets PostgreSQL type a NULL parameter. "No limit" is dialect data
 * (SQLite: -1, PostgreSQL: NULL), passed as the limit parameter.
 */

const RUN_COLUMNS = 'run_id, workflow, input, status, output, error, state, created_at, updated_at, lease_owner, lease_expires_at';
const APPROVAL_COLUMNS =
  'approval_id, run_id, tool, args, call_key, reviewer, evidence, recommendation, status, deadline, decided_by, decided_at, comment, created_at, ' +
  'consumed_by, consumed_at, escalated_from';
const DECISION_COLUMNS = 'consumer, event_id, decision, decided_at, run_id, attempts, published_at';
const INBOX_COLUMNS = 'inbox, event_id, payload, received_at, deliveries';
const SESSION_COLUMNS = 'owner, session_id, version, message_count, holder, held_until, summary, created_at, updated_at';
const SPAN_COLUMNS = 'trace_id, span_id, parent_id, kind, name, start_time, duration_ms, status, attributes, error';

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

export const SQL = {
  putRun: `INSERT INTO ap_runs (${RUN_COLUMNS}) VALUES (${placeholders(11)})
    ON CONFLICT (run_id) DO UPDATE SET workflow = excluded.workflow, input = excluded.input, status = excluded.status,
      output = excluded.output, error = excluded.error, state = excluded.state,
      created_at = excluded.created_at, updated_at = excluded.updated_at,
      lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at`,
  getRun: `SELECT ${RUN_COLUMNS} FROM ap_runs WHERE run_id = ?`,
  /**
   * Optimistic claim: changes the run only if it is still as the caller read it and nobody holds a live lease.
   * Params: status, state, updatedAt, lease owner, lease expiry, runId, expected status, expected updatedAt, now.
   */
  claimRun: `UPDATE ap_runs SET status = ?, state = ?, updated_at = ?, lease_owner = ?, lease_expires_at = ?
    WHERE run_id = ? AND status = ? AND updated_at = ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?)`,
  /** Params: new expiry, runId, owner. */
  renewLease: `UPDATE ap_runs SET lease_expires_at = ? WHERE run_id = ? AND lease_owner = ?`,
  /** Params: status, output, error, state, updatedAt, runId, owner. */
  releaseRun: `UPDATE ap_runs SET status = ?, output = ?, error = ?, state = ?, updated_at = ?, lease_owner = NULL, lease_expires_at = NULL
    WHERE run_id = ? AND lease_owner = ?`,
  /** Newest first. Params: status, status, limit. */
  listRuns: `SELECT ${RUN_COLUMNS} FROM ap_runs WHERE (CAST(? AS TEXT) IS NULL OR status = ?)
    ORDER BY created_at DESC, seq DESC LIMIT ?`,

  putCheckpoint: `INSERT INTO ap_checkpoints (run_id, key, value, at) VALUES (?, ?, ?, ?)
    ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, at = excluded.at`,
  getCheckpoints: `SELECT key, value FROM ap_checkpoints WHERE run_id = ? ORDER BY seq`,

  createApproval: `INSERT INTO ap_approvals (${APPROVAL_COLUMNS}) VALUES (${placeholders(17)})
    ON CONFLICT (approval_id) DO NOTHING`,
  getApproval: `SELECT ${APPROVAL_COLUMNS} FROM ap_approvals WHERE approval_id = ?`,
  /** The latest request for that exact call of that run. */
  findApproval: `SELECT ${APPROVAL_COLUMNS} FROM ap_approvals WHERE run_id = ? AND call_key = ? ORDER BY seq DESC LIMIT 1`,
  /** Oldest first (an inbox). Params: status, status, runId, runId. */
  listApprovals: `SELECT ${APPROVAL_COLUMNS} FROM ap_approvals
    WHERE (CAST(? AS TEXT) IS NULL OR status = ?) AND (CAST(? AS TEXT) IS NULL OR run_id = ?) ORDER BY seq`,
  /** Only a pending approval changes; no row back means unknown or already decided. */
  /** Params: status, by, at, comment, id, then the optional expectations: reviewer, reviewer, deadline, deadline. */
  decideApproval: `UPDATE ap_approvals SET status = ?, decided_by = ?, decided_at = ?, comment = ?
    WHERE approval_id = ? AND status = 'pending'
      AND (CAST(? AS TEXT) IS NULL OR reviewer = ?) AND (CAST(? AS TEXT) IS NULL OR deadline = ?)
    RETURNING ${APPROVAL_COLUMNS}`,
  /** Params: reviewer, deadline, id, then the optional expectations as for decideApproval. */
  reassignApproval: `UPDATE ap_approvals SET escalated_from = reviewer, reviewer = ?, deadline = ?
    WHERE approval_id = ? AND status = 'pending'
      AND (CAST(? AS TEXT) IS NULL OR reviewer = ?) AND (CAST(? AS TEXT) IS NULL OR deadline = ?)
    RETURNING ${APPROVAL_COLUMNS}`,
  /** First use of an approved approval; no row back means not approved or already used. Params: consumer, at, id. */
  consumeApproval: `UPDATE ap_approvals SET consumed_by = ?, consumed_at = ?
    WHERE approval_id = ? AND status = 'approved' AND consumed_by IS NULL RETURNING ${APPROVAL_COLUMNS}`,

  appendAudit: `INSERT INTO ap_audit (at, approval_id, run_id, actor, action, detail) VALUES (?, ?, ?, ?, ?, ?)`,
  /** Append order. Params: approvalId, approvalId, runId, runId. */
  listAudit: `SELECT at, approval_id, run_id, actor, action, detail FROM ap_audit
    WHERE (CAST(? AS TEXT) IS NULL OR approval_id = ?) AND (CAST(? AS TEXT) IS NULL OR run_id = ?) ORDER BY seq`,

  /** Params: consumer, eventId, decision, decidedAt, runId, attempts, publishedAt (NULL = in the outbox). */
  recordDecision: `INSERT INTO ap_decisions (${DECISION_COLUMNS}) VALUES (${placeholders(7)})
    ON CONFLICT (consumer, event_id) DO NOTHING`,
  getDecision: `SELECT ${DECISION_COLUMNS} FROM ap_decisions WHERE consumer = ? AND event_id = ?`,
  /** Order of recording. Params: consumer, consumer, limit. */
  listDecisions: `SELECT ${DECISION_COLUMNS} FROM ap_decisions
    WHERE (CAST(? AS TEXT) IS NULL OR consumer = ?) ORDER BY seq LIMIT ?`,
  countDecisions: `SELECT COUNT(*) AS n FROM ap_decisions WHERE (CAST(? AS TEXT) IS NULL OR consumer = ?)`,
  /** The outbox: stored, not yet published, oldest first. Params: consumer, decided at or before, limit. */
  listUnpublished: `SELECT ${DECISION_COLUMNS} FROM ap_decisions
    WHERE consumer = ? AND published_at IS NULL AND decided_at <= ? ORDER BY seq LIMIT ?`,
  /** Params: publishedAt, consumer, eventId. */
  markPublished: `UPDATE ap_decisions SET published_at = ? WHERE consumer = ? AND event_id = ? AND published_at IS NULL`,

  inboxPut: `INSERT INTO ap_inbox (inbox, event_id, payload, received_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (inbox, event_id) DO NOTHING`,
  /**
   * Takes the oldest free entries (never claimed, released, or with an expired lease). The outer condition is
   * re-checked on rows another transaction changed meanwhile, so two claimers never both get one entry.
   * Params: owner, leaseUntil, inbox, now, limit, now.
   */
  inboxClaim: `UPDATE ap_inbox SET owner = ?, lease_until = ?, deliveries = deliveries + 1
    WHERE seq IN (SELECT seq FROM ap_inbox WHERE inbox = ? AND (owner IS NULL OR lease_until < ?) ORDER BY seq LIMIT ?)
      AND (owner IS NULL OR lease_until < ?)
    RETURNING seq, ${INBOX_COLUMNS}`,
  /** Params: leaseUntil, inbox, owner. */
  inboxRenew: `UPDATE ap_inbox SET lease_until = ? WHERE inbox = ? AND owner = ?`,
  /** Params: inbox, owner, eventId, eventId (NULL: every entry of that owner). */
  inboxRelease: `UPDATE ap_inbox SET owner = NULL, lease_until = NULL
    WHERE inbox = ? AND owner = ? AND (CAST(? AS TEXT) IS NULL OR event_id = ?)`,
  inboxRemove: `DELETE FROM ap_inbox WHERE inbox = ? AND event_id = ?`,
  inboxCount: `SELECT COUNT(*) AS n FROM ap_inbox WHERE inbox = ?`,

  /** One letter per (consumer, event): a later failure of the same event replaces it. */
  putDeadLetter: `INSERT INTO ap_dead_letters (consumer, event_id, payload, error, attempts, at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (consumer, event_id) DO UPDATE SET payload = excluded.payload, error = excluded.error,
      attempts = excluded.attempts, at = excluded.at`,
  listDeadLetters: `SELECT consumer, event_id, payload, error, attempts, at FROM ap_dead_letters
    WHERE (CAST(? AS TEXT) IS NULL OR consumer = ?) ORDER BY seq`,

  appendSpan: `INSERT INTO ap_spans (${SPAN_COLUMNS}) VALUES (${placeholders(10)})`,
  /** Start order; spans that started in the same millisecond keep the order they were written in. */
  getTrace: `SELECT ${SPAN_COLUMNS} FROM ap_spans WHERE trace_id = ? ORDER BY start_time, seq`,

  kvGet: `SELECT value FROM ap_kv WHERE namespace = ? AND key = ?`,
  kvPut: `INSERT INTO ap_kv (namespace, key, value, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  /** Order of first write (the same in both dialects, unlike text collation). */
  kvList: `SELECT key, value FROM ap_kv WHERE namespace = ? ORDER BY seq`,

  // Sessions: every statement is keyed by (owner, session_id), so one owner never reaches another's.
  /** Params: owner, session_id, created_at, updated_at. */
  createSession: `INSERT INTO ap_sessions (owner, session_id, version, message_count, created_at, updated_at) VALUES (?, ?, 0, 0, ?, ?)
    ON CONFLICT (owner, session_id) DO NOTHING`,
  getSession: `SELECT ${SESSION_COLUMNS} FROM ap_sessions WHERE owner = ? AND session_id = ?`,
  /** Most recently used first. Params: owner, owner. */
  listSessions: `SELECT ${SESSION_COLUMNS} FROM ap_sessions WHERE (CAST(? AS TEXT) IS NULL OR owner = ?) ORDER BY updated_at DESC, seq DESC`,
  /**
   * The atomic version check: takes the session only if it is still at the version the caller read
   * and nobody holds a live lease. Params: holder, held_until, updated_at, owner, session_id, version, now.
   */
  claimSession: `UPDATE ap_sessions SET holder = ?, held_until = ?, version = version + 1, updated_at = ?
    WHERE owner = ? AND session_id = ? AND version = ? AND (holder IS NULL OR held_until < ?)
    RETURNING ${SESSION_COLUMNS}`,
  /** Params: n, held_until, updated_at, summary (NULL keeps it), owner, session_id, holder, version. */
  advanceSession: `UPDATE ap_sessions SET version = version + 1, message_count = message_count + ?, held_until = ?, updated_at = ?,
      summary = COALESCE(?, summary)
    WHERE owner = ? AND session_id = ? AND holder = ? AND version = ?
    RETURNING version, message_count`,
  /** Params: owner, session_id, position, message, at. */
  appendSessionMessage: `INSERT INTO ap_session_messages (owner, session_id, position, message, at) VALUES (?, ?, ?, ?, ?)`,
  sessionMessages: `SELECT message FROM ap_session_messages WHERE owner = ? AND session_id = ? ORDER BY position`,
  releaseSession: `UPDATE ap_sessions SET holder = NULL, held_until = NULL WHERE owner = ? AND session_id = ? AND holder = ?`,
  deleteSession: `DELETE FROM ap_sessions WHERE owner = ? AND session_id = ?`,
  deleteSessionMessages: `DELETE FROM ap_session_messages WHERE owner = ? AND session_id = ?`,
} as const;

export type QueryName = keyof typeof SQL;

/** `?` → `$1, $2, ...` (the statements above have no `?` inside literals). */
export function toPostgres(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
