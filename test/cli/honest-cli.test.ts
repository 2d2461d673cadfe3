/**
 * The CLI says what really happened and refuses what it cannot do: labels name the model that answered (or
 * that none did), bad flags and inputs fail with one line and exit 2, read commands never create a store,
 * logs stay quiet and readable, a run given a store can be shown from it, the demo shows outcomes whole.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run, step } from '../../src/index.js';
import { cli } from '../support/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'honest-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Order 1043 has a fraud flag: the orchestrator holds it in code, without any model call. */
const NO_MODEL_INPUT = 'Order 1043: I want a refund.';

describe('labels say what really ran', () => {
  it('a run that called no model says so, in text and JSON', async () => {
    const text = await cli('run', 'refund-orchestrator', '--input', NO_MODEL_INPUT);
    expect(text.code).toBe(0);
    expect(text.out).toContain('[no model was called]');
    expect(text.out).not.toMatch(/undefined|scripted model/);
    const json = JSON.parse((await cli('run', 'refund-orchestrator', '--input', NO_MODEL_INPUT, '--json')).out) as { model: unknown; scripted: boolean };
    expect(json).toMatchObject({ model: null, scripted: false });
  });

  it('the same for a durable run (no "[model: real]")', async () => {
    const r = await cli('run', 'refund-orchestrator', '--durable', '--store', join(dir, 's.db'), '--input', NO_MODEL_INPUT);
    expect(r.code).toBe(0);
    expect(r.out).toContain('[no model was called]');
    expect(r.out).not.toContain('real');
  });

  it('a scripted run says scripted in JSON, consistently', async () => {
    const json = JSON.parse((await cli('run', 'order-support', '--json')).out) as { model: unknown; scripted: boolean };
    expect(json).toMatchObject({ model: 'scripted', scripted: true });
  });
});

describe('validation: one line, exit 2', () => {
  it('runs list --status bogus', async () => {
    const r = await cli('runs', 'list', '--status', 'bogus', '--store', join(dir, 's.db'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--status must be one of running, suspended, completed, failed/);
    expect(r.out).toBe('');
  });

  it('--base-url without --model', async () => {
    const r = await cli('run', 'order-support', '--base-url', 'http://127.0.0.1:8000/v1');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--base-url needs --model');
  });

  it('fraud-events takes "<N> events, <P>% duplicates" and nothing half-read', async () => {
    for (const bad of ['lots', '1000 events, banana', '0 events', '50 events, 95% duplicates']) {
      const r = await cli('run', 'fraud-events', '--input', bad);
      expect(r.code, bad).toBe(2);
      expect(r.err).toContain('fraud-events takes "<N> events, <P>% duplicates"');
    }
    const ok = JSON.parse((await cli('run', 'fraud-events', '--input', '50 events, 20% duplicates', '--json')).out) as { outcome: string };
    expect(ok.outcome).toBe('50 events, 40 decided, 10 duplicates skipped');
  });

  it('reflexion-coding: a JSON task is used (its own tests run), a broken one is refused', async () => {
    const task = { description: 'Return the input doubled.', tests: [{ name: 'two', input: 2, expected: 4 }] };
    const r = await cli('run', 'reflexion-coding', '--input', JSON.stringify(task), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { details: { attempts: { tests: { name: string }[] }[] } };
    expect(out.details.attempts[0]!.tests.map((t) => t.name)).toEqual(['two']);
    for (const bad of ['{"description": ""}', '{not json', '{"description": "x", "tests": []}', '   ']) {
      const refused = await cli('run', 'reflexion-coding', '--input', bad);
      expect(refused.code, bad).toBe(2);
      expect(refused.err).toContain('reflexion-coding');
    }
  });

  it('run --help lists what input each example takes', async () => {
    const r = await cli('run', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/fraud-events\s+"<N> events, <P>% duplicates"/);
    expect(r.out).toMatch(/reflexion-coding\s+a task description/);
  });
});

describe('read commands never create a store', () => {
  for (const args of [['runs', 'list'], ['runs', 'show', 'r1'], ['approvals', 'list'], ['resume', 'r1']]) {
    it(`${args.join(' ')} --store typo/path.db`, async () => {
      const target = join(dir, 'typo', 'path.db');
      const r = await cli(...args, '--store', target);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`no store at ${target}`);
      expect(existsSync(join(dir, 'typo'))).toBe(false);
    });
  }
});

describe('logs', () => {
  // As a user's shell runs it (a separate process: pino writes to fd 2 itself), from the dist/ global-setup built.
  async function spawnCli(...args: string[]): Promise<{ code: number | null; err: string }> {
    const env = { ...process.env };
    delete env.AGENT_PATTERNS_LOG_LEVEL;
    const child = spawn(process.execPath, [join(root, 'bin/agent-patterns.js'), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, err };
  }
  // Nothing listens on port 1: every attempt fails to connect, the client retries, then gives up.
  const failing = ['run', 'order-support', '--model', 'openai-compatible:llama3.1', '--base-url', 'http://127.0.0.1:1/v1'];

  it('by default a failed run prints its one-line error and no log lines', async () => {
    const r = await spawnCli(...failing);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(/^agent-patterns: MODEL_ERROR: .*connection/i)]);
  }, 60_000);

  it('--verbose shows the retries as readable lines, not JSON; --log-format json as JSON', async () => {
    const r = await spawnCli(...failing, '--verbose');
    expect(r.code).toBe(1);
    const lines = r.err.trim().split('\n');
    expect(lines.some((l) => /^warn\s+model call failed; retrying\s+.*provider=openai-compatible/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('{'))).toBe(false);
    const json = await spawnCli(...failing, '--verbose', '--log-format', 'json');
    const logLines = json.err.trim().split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('model call failed; retrying');
  }, 90_000);

  it('the library does not log at warn an error it throws to the caller', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    await expect(run(step('boom', () => { throw new Error('boom'); }), 'x', { logger })).rejects.toThrow('boom');
    expect(lines).toEqual([]);
  });
});

describe('a run given a store is in it', () => {
  it('`runs show <id>` finds a non-durable run, with its trace', async () => {
    const store = join(dir, 's.db');
    const r = await cli('run', 'order-support', '--input', 'Where is order 1042?', '--store', store, '--json');
    expect(r.code).toBe(0);
    const { runId } = JSON.parse(r.out) as { runId: string };
    const shown = await cli('runs', 'show', runId, '--store', store, '--json');
    expect(shown.code).toBe(0);
    const json = JSON.parse(shown.out) as { run: { workflow: string; status: string }; trace: { kind: string }[] };
    expect(json.run).toMatchObject({ workflow: 'order-support', status: 'completed' });
    expect(json.trace.filter((s) => s.kind === 'model')).toHaveLength(2);
  });

  it('without one, the printed run id says it was not stored', async () => {
    const saved = process.env.AGENT_PATTERNS_STORE;
    delete process.env.AGENT_PATTERNS_STORE;
    try {
      const r = await cli('run', 'order-support');
      expect(r.out).toMatch(/run id: \S+ \(not stored: give --store/);
    } finally {
      if (saved !== undefined) process.env.AGENT_PATTERNS_STORE = saved;
    }
  });
});

it('the demo table shows each outcome whole', async () => {
  const r = await cli('demo');
  expect(r.code).toBe(0);
  expect(r.out).toContain('200 events, 180 decided, 20 duplicates skipped');
  expect(r.out).toMatch(/refunded \$420\.00 \(approved by [^…\n]*\)/);
  expect(r.out).not.toContain('…');
}, 60_000);
