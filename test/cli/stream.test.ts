/** `agent-patterns run <example> --stream`, run as a separate process from the built CLI (dist/, built by global-setup). */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/streaming/events.js';

function runCli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/agent-patterns.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += String(c)));
    child.stderr.on('data', (c: Buffer) => (err += String(c)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const SPECIALISTS = ['log-specialist', 'metrics-specialist', 'deployment-specialist'];

describe('agent-patterns run --stream', () => {
  it('incident-triage: the three specialists\' tokens interleave in the run\'s event order, each labelled by its path', async () => {
    const r = await runCli('run', 'incident-triage', '--stream', '--json');
    expect(r.code).toBe(0);
    const events = r.out.trim().split('\n').map((line) => JSON.parse(line) as RunEvent);
    // Speakers in the order their tokens arrived, one entry per change of speaker.
    const turns: string[] = [];
    for (const e of events) if (e.type === 'text-delta' && turns.at(-1) !== e.path) turns.push(e.path);
    const specialistTurns = turns.filter((p) => SPECIALISTS.some((s) => p.endsWith(`/specialists/${s}`)));
    expect(new Set(specialistTurns).size).toBe(3);
    // Interleaved, not one after another: far more changes of speaker than the three a sequential run would make.
    expect(specialistTurns.length).toBeGreaterThan(12);
    // Each specialist's first token comes before any specialist finished.
    const firstEnd = events.findIndex((e) => e.type === 'step-end' && SPECIALISTS.includes(e.step));
    for (const s of SPECIALISTS) expect(events.findIndex((e) => e.type === 'text-delta' && e.path.endsWith(s))).toBeLessThan(firstEnd);
    expect(r.err).toMatch(/scripted model/);

    // The text view shows the same: a label line for each change of speaker, in the order tokens arrived.
    const text = await runCli('run', 'incident-triage', '--stream');
    expect(text.code).toBe(0);
    expect(text.out).toContain('scripted model');
    const labels = [...text.out.matchAll(/^\s+specialists\/([a-z-]+) │ /gm)].map((m) => m[1]);
    expect(new Set(labels)).toEqual(new Set(SPECIALISTS));
    expect(labels.length).toBeGreaterThan(12);
    // Each specialist's words, joined in order, are its whole answer.
    const said = (who: string) => [...text.out.matchAll(new RegExp(`^\\s+specialists/${who} │ (.*)$`, 'gm'))].map((m) => m[1]!.trim()).join(' ');
    expect(said('log-specialist')).toMatch(/^Error pattern: PaymentClientTimeout in checkout-api, .* no errors on other routes\.$/);
    expect(text.out).toMatch(/▸ specialists\n/);
    expect(text.out).toMatch(/◂ specialists ok/);
    expect(text.out).toMatch(/synthesis │ Root-cause hypothesis/);
    expect(text.out).toMatch(/outcome: synthesized from 3\/3 specialists\nusage: model turns 4/);
  });

  it('--json is NDJSON: every line parses, run-start first, run-end last, tool calls with arguments and results', async () => {
    const r = await runCli('run', 'order-support', '--stream', '--json', '--input', 'Where is order 1042?');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines.at(-1)).toBe('');
    const events = lines.slice(0, -1).map((line) => JSON.parse(line) as RunEvent);
    expect(events[0]).toMatchObject({ type: 'run-start', step: 'support-desk' }); // the guarded order-support agent
    expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'completed', usage: { modelTurns: 2, toolCalls: 1 } });
    expect(events.filter((e) => e.type === 'run-start' || e.type === 'run-end')).toHaveLength(2);
    expect(events.find((e) => e.type === 'tool-call')).toMatchObject({ tool: 'get_order', args: { order_id: '1042' }, path: expect.stringMatching(/order-support$/) });
    expect(events.find((e) => e.type === 'tool-result')).toMatchObject({ tool: 'get_order', ok: true, result: { status: 'shipped' } });
    expect(new Set(events.map((e) => e.runId)).size).toBe(1);
  });

  it('text view: tool calls with arguments and results, routing decisions, usage at the end', async () => {
    const order = await runCli('run', 'order-support', '--stream', '--input', 'Where is order 1042?');
    expect(order.code).toBe(0);
    expect(order.out).toMatch(/→ get_order\(\{"order_id":"1042"\}\)\n\s+← get_order: \{"order_id":"1042","status":"shipped"/);
    expect(order.out).toMatch(/order-support │ Order 1042 is shipped with DHL/);
    expect(order.out).toMatch(/■ completed\n\noutcome: answered\nusage: model turns 2, tool calls 1/);
    const routed = await runCli('run', 'support-coordinator', '--stream');
    expect(routed.code).toBe(0);
    expect(routed.out).toMatch(/◆ route: \{"specialist":"billing"/);
    expect(routed.out).toMatch(/▸ billing\n\s+billing │ /);
  });

  it('--stream with --durable is refused with a reason', async () => {
    const r = await runCli('run', 'refund-approval', '--stream', '--durable');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--stream is not supported with --durable, --session or --store yet/);
  });
});
