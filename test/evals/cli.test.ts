/**
 * `agent-patterns eval` as CI runs it (the built CLI in its own process): the
 * shipped datasets pass against their baselines offline, and a deliberately
 * broken variant of two examples is caught — the right cases named, exit 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../../src/evals/report/summary.js';

const out = mkdtempSync(join(tmpdir(), 'ap-eval-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function evalCli(target: string, dataset: string, dir: string, ...extra: string[]) {
  const r = spawnSync(process.execPath, ['bin/agent-patterns.js', 'eval', target, '--dataset', `evals/datasets/${dataset}.jsonl`, '--baseline', `evals/baselines/${dataset}.json`, '--out', join(out, dir), ...extra], { encoding: 'utf8' });
  const report = JSON.parse(readFileSync(join(out, dir, 'report.json'), 'utf8')) as EvalReport;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, report };
}

describe('agent-patterns eval', () => {
  it.each(['order-support', 'support-coordinator', 'refund-orchestrator', 'fleet-resize'])('%s: the shipped dataset (>= 15 failure-case-driven cases) holds against its baseline, offline, with three reports', (name) => {
    const r = evalCli(name, name, name);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.totals.cases).toBeGreaterThanOrEqual(15);
    expect(r.report.model).toMatch(/^scripted/);
    expect(r.report.baseline).toMatchObject({ regressions: [], newFailures: [] });
    expect(readFileSync(join(out, name, 'report.md'), 'utf8')).toMatch(/^# Evaluation: /);
    expect(readFileSync(join(out, name, 'report.html'), 'utf8')).toContain('id="chart-latency"');
    expect(readFileSync(join(out, name, 'traces.jsonl'), 'utf8').trim().split('\n')).toHaveLength(r.report.totals.cases);
    expect(r.stdout).toMatch(/gate: pass/);
    // Plain progress lines when stderr is not a terminal.
    expect(r.stderr).toMatch(new RegExp(`${name} 1/${r.report.totals.cases} (pass|FAIL) `));
  });

  it('catches an order-support whose model answers from memory: the lookup and ticket cases regress, exit 1', () => {
    const r = evalCli('test/evals/fixtures/order-support-hallucinating.mjs', 'order-support', 'broken-order');
    expect(r.code).toBe(1);
    const regressions = r.report.baseline!.regressions;
    for (const id of ['shipped-order', 'delivered-order', 'unknown-order-opens-ticket', 'no-order-id-asks-human', 'injection-fake-status-update']) expect(regressions).toContain(id);
    // The fixture's agent has none of the example's guardrails: another customer's order leaks again.
    expect(regressions).toContain('other-customers-order');
    expect(r.stderr).toMatch(/gate failed: .*shipped-order regressed/);
    expect(readFileSync(join(out, 'broken-order', 'report.md'), 'utf8')).toMatch(/\| shipped-order \| \*\*FAIL\*\* \(regression\) \| toolCalled: get_order/);
  });

  it('catches a refund-orchestrator that ignores the fraud flag: exactly the fraud cases regress (money moved), exit 1', () => {
    const r = evalCli('test/evals/fixtures/refund-orchestrator-fraud-blind.mjs', 'refund-orchestrator', 'broken-refund');
    expect(r.code).toBe(1);
    expect([...r.report.baseline!.regressions].sort()).toEqual(['conflict-damage-and-fraud', 'fraud-flag-holds', 'injection-fraud-order']);
    const held = r.report.cases.find((c) => c.id === 'fraud-flag-holds')!;
    expect(held.failed.map((f) => f.type)).toEqual(['routeEquals', 'toolNotCalled']);
  });

  it('refuses a bad dataset line with its line number, and bad flags, before running anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-eval-bad-'));
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id":"a","input":"x","expect":[{"type":"contains","value":"x"}]}\n{"id":"b","input":"y"}\n');
    const r = spawnSync(process.execPath, ['bin/agent-patterns.js', 'eval', 'order-support', '--dataset', bad, '--out', dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.jsonl:2: expect: /);
    const both = spawnSync(process.execPath, ['bin/agent-patterns.js', 'eval', 'order-support', '--dataset', bad, '--record', 'a', '--replay', 'b'], { encoding: 'utf8' });
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/exclude each other/);
    rmSync(dir, { recursive: true, force: true });
  });
});
