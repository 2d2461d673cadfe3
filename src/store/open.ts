/**
 * One way to open a store from a string: nothing → the default SQLite file
 * (or AGENT_PATTERNS_STORE), a path, `sqlite:<path>` or ':memory:' → SQLite,
 * a postgres:// URL → PostgreSQL. The backend's driver loads only when chosen.
 */
import { ConfigError } from '../core/errors.js';
import type { Store } from './types.js';

export const STORE_ENV = 'AGENT_PATTERNS_STORE';

export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** `create: false` opens only a store that exists (a SQLite file is not made; a PostgreSQL database never is). */
export async function openStore(target?: string, options: { create?: boolean } = {}): Promise<Store> {
  const chosen = target || process.env[STORE_ENV] || undefined;
  const field = target ? 'store' : STORE_ENV;
  if (chosen !== undefined && isPostgresUrl(chosen)) {
    const { PostgresStore } = await import('./postgres.js');
    return PostgresStore.connect(chosen);
  }
  let path = chosen;
  if (path !== undefined && /^sqlite:/i.test(path)) path = path.replace(/^sqlite:(\/\/)?/i, '');
  else if (path !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new ConfigError(field, `unsupported store "${path.split('://')[0]}://": use a file path, sqlite:<path>, or a postgres:// URL`);
  }
  if (path === '') throw new ConfigError(field, 'sqlite: needs a file path');
  const { SqliteStore } = await import('./sqlite.js');
  return SqliteStore.open(path, options.create === false ? { create: false } : {});
}
