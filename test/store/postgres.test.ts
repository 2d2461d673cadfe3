import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { StoreError } from '../../src/store/errors.js';
import { MIGRATIONS_TABLE } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/open.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { freePort, requireService } from '../support/services.js';
import { storeContract } from './contract.js';

/** A database of its own for this file; each test location is a fresh schema in it. */
const serverUrl = requireService('pg');
const dbName = `ap_store_${process.pid}_${Date.now().toString(36)}`;
const dbUrl = (() => {
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
let n = 0;

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = serverUrl): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
});
afterAll(async () => {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
});

storeContract('postgres', async () => {
  const schema = `s${++n}`;
  return () => PostgresStore.connect(dbUrl, { schema, max: 4 });
});

describe('PostgreSQL specifics', () => {
  it('openStore picks PostgreSQL for postgres:// and postgresql:// URLs', async () => {
    const a = await openStore(dbUrl);
    const b = await openStore(dbUrl.replace(/^postgres:/, 'postgresql:'));
    try {
      expect(a.kind).toBe('postgres');
      expect(b.kind).toBe('postgres');
      await a.kvPut('ns', 'k', { via: 'a' });
      expect(await b.kvGet('ns', 'k')).toEqual({ via: 'a' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('schemas keep stores apart', async () => {
    const a = await PostgresStore.connect(dbUrl, { schema: 'iso_a' });
    const b = await PostgresStore.connect(dbUrl, { schema: 'iso_b' });
    try {
      await a.recordDecision('c', 'e', 1);
      expect(await b.recordDecision('c', 'e', 2)).toBe(true);
      expect((await a.getDecision('c', 'e'))!.decision).toBe(1);
      const tables = await admin(
        (c) => c.query(`SELECT table_schema FROM information_schema.tables WHERE table_name = 'ap_decisions' ORDER BY 1`),
        dbUrl,
      );
      expect(tables.rows.map((r) => r.table_schema)).toEqual(expect.arrayContaining(['iso_a', 'iso_b']));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('works without named prepared statements (poolers in transaction mode)', async () => {
    const store = await PostgresStore.connect(dbUrl, { schema: 'unprepared', preparedStatements: false });
    try {
      expect(await store.recordDecision('c', 'e', 'x')).toBe(true);
      expect(await store.recordDecision('c', 'e', 'y')).toBe(false);
      expect(await store.countDecisions()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('a bad schema name is a ConfigError naming the field', async () => {
    const err = await PostgresStore.connect(dbUrl, { schema: 'x; DROP TABLE y' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('schema');
  });

  it('an unreachable server is a typed StoreError, not a crash', async () => {
    const port = await freePort();
    const err = await PostgresStore.connect(`postgres://postgres@127.0.0.1:${port}/postgres`, { pool: { connectionTimeoutMillis: 2_000 } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/cannot open PostgreSQL store/);
  });

  it('refuses a schema newer than this code', async () => {
    const store = await PostgresStore.connect(dbUrl, { schema: 'future' });
    await store.close();
    await admin((c) => c.query(`INSERT INTO future.${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (999, 'future', 0)`), dbUrl);
    const err = await PostgresStore.connect(dbUrl, { schema: 'future' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/version 999/);
  });

  it('a closed store says so', async () => {
    const store = await PostgresStore.connect(dbUrl, { schema: 'closing' });
    await store.close();
    expect(await store.getRun('x').then(() => undefined, (e: unknown) => e)).toBeInstanceOf(StoreError);
  });
});
