/** The built CLI worker on a webhook source: decides a signed event, then stops on SIGTERM with exit 0. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateFraudEvents } from '../../examples/vend/fraud-events.js';
import { signWebhook } from '../../src/events/webhook.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { freePort } from '../support/services.js';

const SECRET = 'cli-test-secret';

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('agent-patterns worker --source webhook://', () => {
  const dir = mkdtempSync(join(tmpdir(), 'worker-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decides each signed event once and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, ['bin/agent-patterns.js', 'worker', '--source', `webhook://127.0.0.1:${port}`, '--store', join(dir, 'd.db')], {
      env: { ...process.env, AGENT_PATTERNS_WEBHOOK_SECRET: SECRET, AGENT_PATTERNS_LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c) => (stdout += c));
    proc.stderr.on('data', (c) => (stderr += c));
    const exit = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
    try {
      const until = Date.now() + 15_000;
      while (!stderr.includes('listening on') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toContain(`listening on http://127.0.0.1:${port}/events`);

      const [event] = generateFraudEvents(1, { duplicateRate: 0, prefix: 'cli' });
      const body = JSON.stringify(event!.payload);
      const ts = Math.floor(Date.now() / 1000);
      const headers = { 'x-timestamp': String(ts), 'x-signature': signWebhook(SECRET, ts, body) };
      expect(await post(`http://127.0.0.1:${port}/events`, body, headers)).toBe(202);
      expect(await post(`http://127.0.0.1:${port}/events`, body, headers)).toBe(202); // a retrying sender
      while (!stdout.includes('\n') && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
    const decisions = stdout.trim().split('\n').map((l) => JSON.parse(l) as { event_id: string; action: string });
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.event_id).toBe('cli-00001');
    expect(stderr).toMatch(/"decided":1,"duplicates":1/);
  });

  const runCli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, ['bin/agent-patterns.js', ...args], { env: { ...process.env, AGENT_PATTERNS_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (c) => (stdout += c));
      p.stderr.on('data', (c) => (stderr += c));
      p.once('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('refuses a --file it cannot read: one line, non-zero exit, no store created', async () => {
    const r = await runCli(['worker', '--source', 'memory', '--file', join(dir, 'nope.jsonl'), '--store', join(dir, 'never.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`agent-patterns: --file: cannot read ${join(dir, 'nope.jsonl')}: no such file\n`);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });

  it('--file alone means the memory source; an invalid event is dead-lettered with a one-line reason that `decisions list` shows on one line', async () => {
    const events = generateFraudEvents(3, { duplicateRate: 0, prefix: 'file' }).map((e) => e.payload);
    const bad = { ...events[0]!, event_id: 'file-bad', amount: 'lots' };
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, [...events, bad].map((e) => JSON.stringify(e)).join('\n') + '\n');
    const db = join(dir, 'file.db');
    const r = await runCli(['worker', '--file', file, '--store', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    expect(r.stderr).toMatch(/"decided":3,.*"deadLettered":1.*"left":0/);

    // A letter written by an older version: the zod issue list as a multi-line JSON dump.
    const store = await SqliteStore.open(db);
    const dump = JSON.stringify([{ expected: 'number', code: 'invalid_type', path: ['amount'], message: 'Invalid input: expected number, received string' }], null, 2);
    await store.putDeadLetter({ consumer: 'fraud-events', eventId: 'old-letter', payload: bad, error: dump, attempts: 1, at: Date.now() });
    await store.close();

    const listed = await runCli(['decisions', 'list', '--dead-letters', '--store', db]);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines).toHaveLength(4); // header, rule, two letters
    expect(lines[2]).toMatch(/file-bad\s+1\s+invalid event: amount: Invalid input: expected number, received string$/);
    expect(lines[3]).toMatch(/old-letter\s+1\s+invalid event: amount: Invalid input: expected number, received string$/);
  });
});
