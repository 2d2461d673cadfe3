/**
 * Every stored decision is published, even when the worker dies between storing and publishing it: a real
 * process is SIGKILLed at that point, and the next worker publishes the decision from the store's outbox.
 * On SQLite and on a real PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { requireService } from '../support/services.js';
import { transpileProject } from '../durable/transpile.js';

const CHILD = join(import.meta.dirname, 'outbox-child.mjs');
let build: string;
let dir: string;
beforeAll(() => {
  build = transpileProject('ap-outbox-test');
  dir = mkdtempSync(join(tmpdir(), 'ap-outbox-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(build, { recursive: true, force: true });
});

function child(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CHILD, build, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const targets: [string, () => string][] = [
  ['SQLite', () => join(dir, 'state.db')],
  ['PostgreSQL', () => requireService('pg')],
];

describe.each(targets)('decisions outbox across a crash (%s)', (_label, targetOf) => {
  it('a decision stored but not published when the worker is SIGKILLed is published by the next worker, once', async () => {
    const target = targetOf();
    const consumer = `outbox-${randomBytes(4).toString('hex')}`;
    const published = join(dir, `${consumer}.txt`);
    const lines = () => (existsSync(published) ? readFileSync(published, 'utf8').trim().split('\n').filter(Boolean) : []);

    const crashed = await child([target, consumer, published, 'e1,e2,e3,e4,e5'], { CRASH_AT: 'e3' });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    expect(lines()).toEqual(['e1', 'e2']);
    const store = await openStore(target);
    try {
      expect((await store.listUnpublished(consumer)).map((d) => d.eventId)).toEqual(['e3']);

      // The next worker gets the unacked events again (e3 is now a duplicate: decided, never re-decided).
      const next = await child([target, consumer, published, 'e3,e4,e5']);
      expect(next.code, next.stderr).toBe(0);
      const stats = JSON.parse(next.stdout) as { decided: number; duplicates: number; republished: number };
      expect(stats).toMatchObject({ decided: 2, duplicates: 1, republished: 1 });
      expect([...lines()].sort()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
      expect(await store.listUnpublished(consumer)).toEqual([]);
      expect(await store.countDecisions(consumer)).toBe(5);
    } finally {
      await store.close();
    }
  }, 60_000);
});
