/**
 * Sessions across real processes, on SQLite and on a real PostgreSQL: a
 * conversation survives a SIGKILL between turns and continues in a new
 * process; a process killed mid-turn loses only that turn and its lapsed
 * lease lets the next one in; two processes writing one session at once
 * never interleave their turns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { transpileProject } from '../durable/transpile.js';
import { runChild } from '../support/child.js';
import { requireService } from '../support/services.js';

const CHILD = join(import.meta.dirname, 'child.mjs');
let build: string;
let dir: string;

beforeAll(() => {
  build = transpileProject('ap-sessions-test');
  dir = mkdtempSync(join(tmpdir(), 'ap-sessions-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(build, { recursive: true, force: true });
});

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last line printed, parsed. */
  out: any;
  stderr: string;
}

async function child(args: string[], env: Record<string, string> = {}, killAfterFirstLine = false): Promise<Outcome> {
  const r = await runChild(CHILD, [build, ...args], { env, killAfterFirstLine });
  const last = r.stdout.trim().split('\n').filter(Boolean).at(-1);
  return { code: r.code, signal: r.signal, out: last ? JSON.parse(last) : undefined, stderr: r.stderr };
}

const targets: [string, () => string][] = [
  ['SQLite', () => join(dir, 'state.db')],
  ['PostgreSQL', () => requireService('pg')],
];

describe.each(targets)('sessions across processes (%s)', (label, targetOf) => {
  it('survives a SIGKILL between turns and continues in a new process; a kill mid-turn loses only that turn', async () => {
    const target = targetOf();
    const session = `user-42:chat-${label}-${Date.now()}`;
    const args = (mode: string, text: string) => [mode, target, 'user-42', session, text];

    const first = await child(args('turn', 'Where is order 1042?'), { HOLD: '1' }, true);
    expect(first.signal).toBe('SIGKILL');
    expect(first.out.answer).toBe('Order 1042 is shipped with DHL (estimated delivery 2026-06-01).');

    const second = await child(args('turn', 'And when will it arrive?'));
    expect(second.code, second.stderr).toBe(0);
    expect(second.out).toEqual({ answer: 'Order 1042 should arrive on 2026-06-01 (it is shipped with DHL).', actions: [['get_order', { order_id: '1042' }]] });

    // Killed while the model is answering: the tool turn is saved, the answer is lost, the lease held.
    const killed = await child(args('die-mid-turn', 'Where is order 1045?'), { LEASE_MS: '500' }, true);
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.out).toEqual({ inFlight: true });

    // The next process waits for the dead run's lease to lapse, then continues from the saved turns.
    const third = await child(args('turn', 'And when will it arrive?'), { WAIT_MS: '15000' });
    expect(third.code, third.stderr).toBe(0);
    expect(third.out.answer).toBe('Order 1045 should arrive on 2026-06-09 (it is delayed with FedEx).');

    const store = await openStore(target);
    try {
      const messages = await store.sessionMessages('user-42', session);
      expect(messages.map((m) => m.role)).toEqual([
        'user', 'assistant', 'tool', 'assistant', // 1042
        'user', 'assistant', 'tool', 'assistant', // when? 1042
        'user', 'assistant', 'tool', // 1045, killed before the answer
        'user', 'assistant', 'tool', 'assistant', // when? 1045
      ]);
      expect(await store.sessionMessages('someone-else', session)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('two processes on one session at once never interleave their turns', async () => {
    const target = targetOf();
    const session = `shared-${label}-${Date.now()}`;
    const env = { TURNS: '5', DELAY_MS: '40', WAIT_MS: '60000' };
    const [a, b] = await Promise.all([
      child(['chat', target, 'o', session, 'A'], env),
      child(['chat', target, 'o', session, 'B'], env),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    // The two really ran at the same time (else the test proves nothing).
    expect(a.out.start < b.out.end && b.out.start < a.out.end).toBe(true);
    const store = await openStore(target);
    try {
      const messages = await store.sessionMessages('o', session);
      expect(messages).toHaveLength(40);
      const order: string[] = [];
      for (let i = 0; i < 40; i += 4) {
        const [q, call, result, answer] = messages.slice(i, i + 4);
        // One turn, whole: its question, its tool call and result, its answer.
        expect(q).toMatchObject({ role: 'user' });
        const tag = q!.content as string;
        expect(call).toMatchObject({ role: 'assistant', toolCalls: [{ name: 'echo', arguments: JSON.stringify({ tag }) }] });
        expect(result).toMatchObject({ role: 'tool', content: tag });
        expect(answer).toEqual({ role: 'assistant', content: `answer to ${tag}` });
        order.push(tag);
      }
      expect(order.filter((t) => t.startsWith('A'))).toEqual(['A-0', 'A-1', 'A-2', 'A-3', 'A-4']);
      expect(order.filter((t) => t.startsWith('B'))).toEqual(['B-0', 'B-1', 'B-2', 'B-3', 'B-4']);
    } finally {
      await store.close();
    }
  });
});
