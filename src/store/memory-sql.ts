/**
 * The long-term memory's statements, one set per dialect: full-text search is
 * where SQLite (an FTS5 table) and PostgreSQL (a tsvector column) differ.
 * Queries reach them as a list of plain words (rows.ts `searchWords`), OR-ed.
 */
import type { Dialect } from './migrations.js';

export interface MemorySql {
  count: string;
  /** Params: owner, content, at; returns the new row's `id`. */
  insert: string;
  /** Params: owner, match expression, limit. */
  search: string;
  /** The match expression for a list of words. */
  match(words: readonly string[]): string;
}

export const MEMORY_SQL: Record<Dialect, MemorySql> = {
  sqlite: {
    count: `SELECT COUNT(*) AS n FROM ap_memories WHERE owner = ?`,
    insert: `INSERT INTO ap_memories (owner, content, at) VALUES (?, ?, ?) RETURNING rowid AS id`,
    search: `SELECT rowid AS id, owner, content, at FROM ap_memories WHERE owner = ? AND ap_memories MATCH ? ORDER BY rank LIMIT ?`,
    match: (words) => words.map((w) => `"${w}"`).join(' OR '),
  },
  postgres: {
    count: `SELECT COUNT(*) AS n FROM ap_memories WHERE owner = $1`,
    insert: `INSERT INTO ap_memories (owner, content, at) VALUES ($1, $2, $3) RETURNING seq AS id`,
    search: `SELECT seq AS id, owner, content, at FROM ap_memories WHERE owner = $1 AND tsv @@ to_tsquery('english', $2)
      ORDER BY ts_rank(tsv, to_tsquery('english', $2)) DESC, seq LIMIT $3`,
    match: (words) => words.join(' | '),
  },
};
