/**
 * The studio in Debian's chromium (playwright-core), against a store filled by
 * `agent-patterns demo --store`: every demo run listed; a nested run opens to
 * its tree and its diagram; a run started during the test appears live; a
 * pending approval is approved in the page and the run completes; a write
 * without the token is refused; markup in a tool result stays text.
 * Each test saves a screenshot under .agent-patterns/screenshots/.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { run } from '../../src/core/run.js';
import { tool } from '../../src/core/tool.js';
import { scripted } from '../../src/models/scripted.js';
import { Agent } from '../../src/patterns/agent.js';
import { openStore } from '../../src/store/open.js';
import { StoreTraceSink } from '../../src/store/trace-sink.js';
import type { Store } from '../../src/store/types.js';
import { startStudio, type Studio } from '../../src/studio/server.js';
import { resumeRun } from '../../src/durable/run.js';
import { vendCatalog, vendLauncher } from '../../src/cli/commands/studio.js';
import { vendWorkflows } from '../../src/cli/commands/resume.js';
import { listExamples } from '../../examples/vend/registry.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = '.agent-patterns/screenshots';
const dir = mkdtempSync(join(tmpdir(), 'ap-studio-'));
const db = join(dir, 'demo.db');
let store: Store;
let studio: Studio;
let browser: Browser;
let page: Page;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/agent-patterns.js', ...args, '--store', db], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`agent-patterns ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

async function shot(name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `studio-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A raw HTTP request, so Host and Origin can be what an attacker's page would send. */
function raw(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: studio.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run and npm test install it)`).toBe(true);
  cli('demo');
  store = await openStore(db);
  const registry = await vendWorkflows();
  studio = await startStudio({ store, catalog: await vendCatalog(), resume: (runId) => resumeRun(runId, { store, registry }), ...(await vendLauncher(store)), pollMs: 150, log: () => {} });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(studio.openUrl);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await studio?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('agent-patterns studio', { timeout: 60_000 }, () => {
  it('lists every run the demo stored, with pattern, status and usage, and filters them', async () => {
    const stored = await store.listRuns({ limit: 1000 });
    const examples = await listExamples();
    expect(stored.length).toBeGreaterThanOrEqual(examples.length);
    await page.waitForSelector('#runs tbody tr');
    expect(await page.locator('#page-info').textContent()).toContain(`of ${stored.length}`);
    const listed = await page.$$eval('#runs tbody tr', (rows) => rows.map((r) => r.getAttribute('data-run')));
    expect(listed.sort()).toEqual(stored.slice(0, 25).map((r) => r.runId).sort());
    for (const ex of examples) expect(await page.locator('#runs').textContent()).toContain(ex.name);
    await shot('runs');
    // Filter by pattern, then by text.
    await page.selectOption('#filter-pattern', '7 coordinator');
    await expect.poll(() => page.locator('#runs tbody tr').count()).toBe(1);
    expect(await page.locator('#runs tbody').textContent()).toContain('support-coordinator');
    await page.goto(`${studio.url}/#/runs?q=market`);
    await expect.poll(() => page.locator('#runs tbody tr').count()).toBe(1);
  });

  it('opens a nested run (market-expansion) to its span tree and its workflow diagram', async () => {
    const [runRecord] = (await store.listRuns({ limit: 1000 })).filter((r) => r.workflow === 'market-expansion');
    await page.goto(`${studio.url}/#/runs/${runRecord!.runId}`);
    await page.waitForSelector('#waterfall .wrow');
    const trace = await store.getTrace(runRecord!.runId);
    expect(await page.locator('#waterfall .wrow').count()).toBe(trace.length);
    // The diagram is the decomposition drawn from the steps, with the run laid on it.
    expect(await page.getAttribute('#diagram > .node', 'data-kind')).toBe('decompose');
    const ran = await page.$$eval('#diagram .node.ran', (nodes) => nodes.map((n) => n.getAttribute('data-node')));
    expect(ran.length).toBeGreaterThanOrEqual(3);
    // A model span opens to its usage and timing.
    await page.locator('#waterfall .wrow[data-kind="model"]').first().click();
    expect(await page.locator('#span-detail').textContent()).toMatch(/usage: /);
    expect(await page.locator('#gauges .gauge').count()).toBeGreaterThanOrEqual(3);
    await shot('market-expansion');
    const readmeShot = 'docs/studio-run.png';
    if (!existsSync(readmeShot) || process.env.UPDATE_SCREENSHOTS) copyFileSync(join(SHOTS, 'studio-market-expansion.png'), readmeShot);
  });

  it('shows a run started during the test without a reload, then approves its pending refund and watches it complete', async () => {
    await page.goto(`${studio.url}/#/runs`);
    await page.waitForSelector('#runs tbody tr');
    const before = await page.getAttribute('#app', 'data-rendered');
    const out = cli('run', 'refund-approval', '--durable', '--json');
    const started = JSON.parse(out) as { runId: string; status: string; pending: { approvalId: string }[] };
    expect(started.status).toBe('suspended');
    // The live feed brings the new run onto the open page.
    await page.waitForSelector(`#runs tr[data-run="${started.runId}"]`, { timeout: 15_000 });
    expect(await page.getAttribute('#app', 'data-rendered')).not.toBe(before);
    await page.click(`#runs tr[data-run="${started.runId}"]`);
    await page.waitForSelector('#run-pending');
    const spansBefore = Number(await page.locator('#span-count').textContent());

    await page.goto(`${studio.url}/#/approvals`);
    const card = page.locator(`.approval[data-approval="${started.pending[0]!.approvalId}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain(started.runId);
    await shot('approvals');
    await card.locator('textarea.comment').fill('receipt checked');
    await card.locator('button.approve').click();
    await page.locator(`#decided .decided[data-approval="${started.pending[0]!.approvalId}"]`).filter({ hasText: 'Approved' }).waitFor();
    await page.goto(`${studio.url}/#/runs/${started.runId}`);
    await expect.poll(() => page.locator('#run-status').textContent(), { timeout: 15_000 }).toBe('completed');
    expect(Number(await page.locator('#span-count').textContent())).toBeGreaterThan(spansBefore);
    await shot('refund-completed');
    const audit = await store.listAudit({ runId: started.runId });
    expect(audit.some((e) => e.action === 'approved' && JSON.stringify(e.detail).includes('receipt checked'))).toBe(true);
    expect((await store.getRun(started.runId))!.status).toBe('completed');
  });

  it('streams a run started from the page: its three specialists\' tokens appear live, each under its path, then the stored run', async () => {
    await page.goto(`${studio.url}/#/runs`);
    await page.waitForSelector('#start-form');
    await page.selectOption('#start-workflow', 'incident-triage');
    await page.click('#start-run');
    await page.waitForSelector('#live-panel');
    await expect.poll(() => page.locator('#live-panel').getAttribute('data-done'), { timeout: 20_000 }).toBe('completed');
    const blocks = await page.$$eval('#live-panel pre.live-text', (pres) => pres.map((p) => [p.getAttribute('data-path'), p.textContent]));
    const paths = blocks.map(([path]) => path);
    for (const branch of ['log-specialist', 'metrics-specialist', 'deployment-specialist']) expect(paths.some((p) => p?.endsWith(`/${branch}`))).toBe(true);
    expect(blocks.every(([, text]) => (text ?? '').length > 20)).toBe(true);
    // Once stored, the same page shows the run's record and trace beside the live output.
    await page.waitForSelector('#waterfall .wrow', { timeout: 15_000 });
    expect(await page.locator('#live-panel').count()).toBe(1);
    await shot('live-run');
    // Starting a run needs the token too.
    expect((await raw('POST', '/api/runs', { host: `127.0.0.1:${studio.port}`, 'content-type': 'application/json' }, JSON.stringify({ workflow: 'order-support' }))).status).toBe(401);
  });

  it('refuses a decision without the token (401), and any request from another Host or Origin (403)', async () => {
    const [pending] = await store.listApprovals({ status: 'pending' });
    const path = `/api/approvals/${pending?.approvalId ?? 'apr_missing'}/decision`;
    const host = `127.0.0.1:${studio.port}`;
    const body = JSON.stringify({ decision: 'approve', reviewer: 'anyone' });
    expect((await raw('POST', path, { host, 'content-type': 'application/json' }, body)).status).toBe(401);
    expect((await raw('POST', path, { host, 'content-type': 'application/json', 'x-studio-token': 'wrong' }, body)).status).toBe(401);
    expect((await raw('GET', '/api/runs', { host: 'evil.example:80' })).status).toBe(403);
    expect((await raw('GET', '/api/runs', { host, origin: 'http://evil.example' })).status).toBe(403);
    expect((await raw('POST', path, { host, origin: 'http://evil.example', 'content-type': 'application/json', 'x-studio-token': studio.token }, body)).status).toBe(403);
    const ok = await raw('GET', '/', { host });
    expect(ok.status).toBe(200);
    // Through the page itself without the token (a fresh tab): the write is refused, the form says why.
    const fresh = await browser.newPage();
    await fresh.goto(`${studio.url}/#/approvals`);
    await fresh.waitForSelector('#no-token');
    await fresh.close();
  });

  it('shows markup from a tool result as text: no script runs, no element is made', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const lookup = tool({ name: 'lookup', description: 'Look it up.', input: z.object({}), execute: () => hostile });
    const model = scripted([{ toolCalls: [{ name: 'lookup', args: {} }] }, hostile]);
    const sink = new StoreTraceSink(store);
    const result = await run(new Agent({ name: 'hostile-agent', instructions: 'x', model, tools: [lookup] }), 'go', { sinks: [sink] });
    await store.putRun({ runId: result.runId, workflow: 'hostile', input: hostile, status: 'completed', output: result.output.text, createdAt: Date.now(), updatedAt: Date.now() });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${studio.url}/#/runs/${result.runId}`);
    await page.waitForSelector('#waterfall .wrow[data-kind="tool"]');
    await page.locator('#waterfall .wrow[data-kind="tool"]').click();
    expect(await page.locator('#span-detail').textContent()).toContain('<script>window.__pwned=2</script>');
    expect(await page.locator('#run-output').textContent()).toBe(hostile);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(dialogs).toEqual([]);
    await shot('hostile');
  });
});
