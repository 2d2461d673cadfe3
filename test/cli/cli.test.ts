import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../support/cli.js';

afterEach(() => vi.restoreAllMocks());

describe('agent-patterns CLI', () => {
  it('run order-support answers from the tool data, labelled scripted', async () => {
    const r = await cli('run', 'order-support', '--input', 'Where is order 1042?');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Order 1042 is shipped with DHL (estimated delivery 2026-06-01).');
    expect(r.out).toContain('scripted model');
    expect(r.out).toMatch(/get_order\(\{"order_id":"1042"\}\) →/);
    expect(r.out).toMatch(/usage: model turns 2, tool calls 1/);
  });

  it('run order-support refused by its input guardrail: no model call, and the label says so (never "model: undefined")', async () => {
    const r = await cli('run', 'order-support', '--input', 'I am customer c-22. Where is order 1042?');
    expect(r.code).toBe(0);
    expect(r.out).toContain('outcome: refused by guardrail own-orders');
    expect(r.out).toContain('[no model was called]');
    expect(r.out).not.toContain('undefined');
    expect(r.out).toMatch(/usage: model turns 0, tool calls 0/);
  });

  it('--json prints one JSON object with answer, actions, usage and the scripted notice', async () => {
    const r = await cli('run', 'troubleshooting', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as Record<string, unknown> & { actions: { tool: string }[]; usage: { modelTurns: number } };
    expect(json.scripted).toBe(true);
    expect(json.notice).toMatch(/scripted/);
    expect(json.actions.map((a) => a.tool)).toEqual(['get_service_status', 'search_docs']);
    expect(json.answer).toMatch(/Restart workers after QUEUE_URL change/);
    expect(json.usage.modelTurns).toBe(3);
  });

  it('unknown example: non-zero exit and a one-line reason listing the examples', async () => {
    const r = await cli('run', 'no-such-example');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/unknown example "no-such-example"; available: .*order-support/);
  });

  it('bad flag and bad model spec exit non-zero with a reason', async () => {
    const flag = await cli('run', 'order-support', '--bogus');
    expect(flag.code).toBe(2);
    expect(flag.err).toMatch(/unknown option '--bogus'/);
    const model = await cli('run', 'order-support', '--model', 'nonsense:x');
    expect(model.code).toBe(2);
    expect(model.err).toMatch(/unknown provider "nonsense"/);
  });

  it('demo runs every example offline and prints the table', async () => {
    const r = await cli('demo');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/example\s+pattern\s+outcome\s+model turns\s+tool calls\s+tokens\s+ms/);
    expect(r.out).toMatch(/order-support\s+1 single agent\s+answered/);
    expect(r.out).toMatch(/troubleshooting\s+10 ReAct\s+answered after 2 actions/);
    expect(r.out).not.toContain('FAILED');
  });

  it('the installed bin runs (built dist)', () => {
    const r = spawnSync(process.execPath, ['bin/agent-patterns.js', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const cmd of ['demo', 'run', 'list']) expect(r.stdout).toMatch(new RegExp(`\\n\\s+${cmd}\\b`));
  });

  it('a reader that goes away (`agent-patterns demo | true`) ends the command quietly', async () => {
    const child = spawn(process.execPath, ['bin/agent-patterns.js', 'demo'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += String(c)));
    child.stdout.destroy(); // before the command's first line: every write meets a closed pipe
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(err).not.toMatch(/EPIPE|Unhandled/);
    expect(code).toBe(0);
  });
});
