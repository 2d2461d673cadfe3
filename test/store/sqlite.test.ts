import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { StoreError } from '../../src/store/errors.js';
import { MIGRATIONS_TABLE } from '../../src/store/migrations.js';
import { openStore, STORE_ENV } from '../../src/store/open.js';
import { DEFAULT_SQLITE_PATH, SqliteStore } from '../../src/store/sqlite.js';
import { storeContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'ap-store-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeContract('sqlite', async () => {
  const file = join(dir, `s${++n}`, 'state.db');
  return () => SqliteStore.open(file);
});

describe('SQLite specifics', () => {
  const envBefore = process.env[STORE_ENV];
  const cwdBefore = process.cwd();
  afterEach(() => {
    if (envBefore === undefined) delete process.env[STORE_ENV];
    else process.env[STORE_ENV] = envBefore;
    process.chdir(cwdBefore);
  });

  it('openStore() with nothing set opens ./.agent-patterns/state.db in WAL mode', async () => {
    delete process.env[STORE_ENV];
    const home = join(dir, 'default-home');
    rmSync(home, { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(home);
    process.chdir(home);
    const store = await openStore();
    expect(store.kind).toBe('sqlite');
    await store.kvPut('ns', 'k', 'v');
    await store.close();
    const file = join(home, DEFAULT_SQLITE_PATH);
    expect(existsSync(file)).toBe(true);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('AGENT_PATTERNS_STORE chooses the file; an explicit target beats it; :memory: works', async () => {
    const fromEnv = join(dir, 'env', 'chosen.db');
    process.env[STORE_ENV] = fromEnv;
    const a = await openStore();
    await a.kvPut('ns', 'who', 'env');
    await a.close();
    expect(existsSync(fromEnv)).toBe(true);

    const explicit = join(dir, 'explicit.db');
    const b = await openStore(explicit);
    expect(await b.kvGet('ns', 'who')).toBeUndefined();
    await b.close();
    expect(existsSync(explicit)).toBe(true);

    const mem = await openStore(':memory:');
    expect(mem.kind).toBe('sqlite');
    await mem.kvPut('ns', 'k', [1]);
    expect(await mem.kvGet('ns', 'k')).toEqual([1]);
    await mem.close();
  });

  it('accepts sqlite:<path>, and names the field for an unsupported scheme', async () => {
    const file = join(dir, 'prefixed.db');
    const store = await openStore(`sqlite:${file}`);
    expect(store.kind).toBe('sqlite');
    await store.close();
    expect(existsSync(file)).toBe(true);
    const err = await openStore('mysql://db/x').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('store');
    process.env[STORE_ENV] = 'redis://127.0.0.1:1';
    const envErr = await openStore().then(() => undefined, (e: unknown) => e);
    expect((envErr as ConfigError).field).toBe(STORE_ENV);
  });

  it('refuses a file whose schema is newer than this code, naming the problem', async () => {
    const file = join(dir, 'future.db');
    const store = await SqliteStore.open(file);
    await store.close();
    const raw = new Database(file);
    raw.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (999, 'from the future', 0)`).run();
    raw.close();
    const err = await SqliteStore.open(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/version 999/);
  });

  it('a path that cannot be a database is a typed error', async () => {
    const err = await SqliteStore.open(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toContain(dir);
  });
});

describe('SQLite across processes', () => {
  it('several processes open one new file at once, migrate once, and record each event exactly once', async () => {
    const { spawn } = await import('node:child_process');
    const file = join(dir, 'multi', 'state.db');
    const storeModule = new URL('../../dist/src/store/sqlite.js', import.meta.url).href;
    const script = `
      const { SqliteStore } = await import(${JSON.stringify(storeModule)});
      const store = await SqliteStore.open(${JSON.stringify(file)});
      let stored = 0;
      for (let i = 0; i < 40; i++) if (await store.recordDecision('worker', 'evt-' + i, { pid: process.pid })) stored++;
      await store.close();
      process.stdout.write(String(stored));
    `;
    const workers = Array.from({ length: 3 }, () =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (err += d));
        child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`worker exited ${code}: ${err}`))));
      }),
    );
    const stored = await Promise.all(workers);
    expect(stored.reduce((a, b) => a + b, 0)).toBe(40);
    const store = await SqliteStore.open(file);
    expect(await store.countDecisions('worker')).toBe(40);
    expect((await store.appliedMigrations()).map((m) => m.version).at(-1)).toBe(await store.schemaVersion());
    await store.close();
  });
});
