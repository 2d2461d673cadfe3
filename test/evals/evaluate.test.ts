import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { step } from '../../src/core/step.js';
import { scripted } from '../../src/models/scripted.js';
import { OpenAIResponsesModel } from '../../src/models/openai.js';
import { parseDataset } from '../../src/evals/dataset.js';
import { evaluate } from '../../src/evals/evaluate.js';
import { CassetteMismatch, recordModel, replayModel } from '../../src/evals/cassette.js';
import { buildReport } from '../../src/evals/report/summary.js';
import { compareWithBaseline, gatePasses } from '../../src/evals/report/baseline.js';
import { toHtml } from '../../src/evals/report/html.js';
import { toMarkdown } from '../../src/evals/report/markdown.js';
import { example as orderSupport } from '../../examples/vend/order-support.js';
import { jsonReply, orderSupportResponder, responseObject } from '../support/wire/openai-responses.js';
import { wireServerPerTest } from '../support/wire/server.js';

const serve = wireServerPerTest();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'ap-evals-'));
  dirs.push(d);
  return d;
}

const dataset = (n: number) => parseDataset(Array.from({ length: n }, (_, i) => JSON.stringify({ id: `c${i}`, input: `q${i}`, expect: [{ type: 'contains', value: `q${i}` }] })).join('\n'));

describe('evaluate', () => {
  it('runs every case with at most `concurrency` in flight, results in dataset order, a run and a trace per case', async () => {
    let inFlight = 0;
    let most = 0;
    const slow = step('slow', async (input: string) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return `answer to ${input}`;
    });
    const r = await evaluate(slow, dataset(12), [], { concurrency: 3 });
    expect(most).toBe(3);
    expect(r.cases.map((c) => c.id)).toEqual(Array.from({ length: 12 }, (_, i) => `c${i}`));
    expect(r.cases.every((c) => c.pass)).toBe(true);
    expect(new Set(r.cases.map((c) => c.runId)).size).toBe(12);
    expect(r.cases.every((c) => c.trace.some((s) => s.kind === 'run'))).toBe(true);
  });

  it('an LLM judge gives a structured verdict and its cost is reported apart from the run cost', async () => {
    // The judge is a real provider (OpenAI Responses wire format): it grades from what it is sent.
    const s = await serve((req) => {
      const text = String((req.body.input as { content: string }[]).at(-1)?.content);
      const polite = /OUTPUT:\n.*please/s.test(text);
      return jsonReply(responseObject([{ text: JSON.stringify({ score: polite ? 0.9 : 0.1, reason: polite ? 'says please' : 'curt' }) }], { usage: { input: 1000, output: 100 } }));
    });
    const judge = new OpenAIResponsesModel('gpt-4o-mini', { baseUrl: `${s.origin}/v1`, apiKey: 'sk-test', retryBaseDelayMs: 1 });
    const answer = step('answer', (input: string) => (input === 'nice' ? 'Yes please, here it is.' : 'No.'));
    const r = await evaluate(answer, parseDataset([
      '{"id":"nice","input":"nice","expect":[{"type":"judge","rubric":"The reply is polite."}]}',
      '{"id":"rude","input":"rude","expect":[{"type":"judge","rubric":"The reply is polite.","threshold":0.5}]}',
    ].join('\n')), [], { judge });
    expect(r.cases.map((c) => c.pass)).toEqual([true, false]);
    expect(r.cases[0]!.expectations[0]!.score).toBe(0.9);
    expect(r.cases[1]!.expectations[0]!.reason).toMatch(/0\.10 .*curt/);
    const report = buildReport(r, { dataset: 'x', model: 'scripted' });
    // gpt-4o-mini: 1000 input + 100 output tokens per verdict, priced from the table; the step itself cost nothing.
    expect(report.cost.runsUsd).toBe(0);
    expect(report.cost.judgeUsd).toBeGreaterThan(0);
    expect(report.cost.judgeUsd).toBeCloseTo(r.cases[0]!.judgeCostUsd * 2, 10);
    expect(s.requests).toHaveLength(2);
  });

  it('records a real provider run, replays it offline, and names the first difference when a request diverges', async () => {
    const s = await serve(orderSupportResponder);
    const cassette = join(tmp(), 'cassette.jsonl');
    const live = new OpenAIResponsesModel('gpt-4o', { baseUrl: `${s.origin}/v1`, apiKey: 'sk-test', retryBaseDelayMs: 1 });
    const runCase = (model: Parameters<typeof orderSupport.run>[1]) => async (input: unknown) => (await orderSupport.run(String(input), model)).result;
    const cases = parseDataset('{"id":"a","input":"Where is order 1042?","expect":[{"type":"contains","value":"DHL"}]}\n{"id":"b","input":"Where is order 1044?","expect":[{"type":"contains","value":"UPS"}]}');
    const recorded = await evaluate(runCase({ model: recordModel(live, cassette) }), cases, [], { concurrency: 2 });
    expect(recorded.cases.map((c) => c.pass)).toEqual([true, true]);
    expect(s.requests).toHaveLength(4);
    expect(readFileSync(cassette, 'utf8')).not.toContain('sk-test');
    await s.close();

    // Offline: the server is gone; every answer comes from the recording, in any order.
    const replayed = await evaluate(runCase({ model: replayModel(cassette) }), [...cases].reverse(), [], { concurrency: 1 });
    expect(replayed.cases.map((c) => [c.id, c.pass, c.text])).toEqual(recorded.cases.map((c) => [c.id, c.pass, c.text]).reverse());
    expect(replayed.cases[0]!.trace.find((t) => t.kind === 'model')?.attributes.provider).toBe('openai');

    const diverged = await evaluate(runCase({ model: replayModel(cassette) }), parseDataset('{"id":"c","input":"Where is order 1043?","expect":[{"type":"contains","value":"x"}]}'));
    const err = diverged.cases[0]!.error!;
    expect(err.name).toBe('CassetteMismatch');
    expect(err.message).toMatch(/first difference at messages\[1\]\.content: recorded "Where is order 104[24]\?", now "Where is order 1043\?"/);
    expect(new CassetteMismatch('x', 'y')).toBeInstanceOf(Error);
  });
});

describe('reports and the gate', () => {
  const answers: Record<string, string> = { a: 'alpha', b: 'beta <script>alert(1)</script>', c: 'gamma' };
  const target = step('t', (id: string) => answers[id] ?? '');
  const cases = parseDataset([
    '{"id":"a","input":"a","tags":["greek"],"expect":[{"type":"contains","value":"alpha"}]}',
    '{"id":"b","input":"b","tags":["greek","html"],"expect":[{"type":"contains","value":"beta"}]}',
    '{"id":"c","input":"c","expect":[{"type":"contains","value":"delta"}]}',
  ].join('\n'));

  it('totals by tag, latency percentiles, and values from runs escaped in HTML and Markdown', async () => {
    const report = buildReport(await evaluate(target, cases), { dataset: 'cases.jsonl', model: 'scripted', studioUrl: 'http://127.0.0.1:4777' });
    expect(report.totals).toMatchObject({ cases: 3, passed: 2, failed: 1 });
    expect(report.byTag).toEqual({ greek: { cases: 2, passed: 2 }, html: { cases: 1, passed: 1 }, '(untagged)': { cases: 1, passed: 0 } });
    expect(report.latencyMs.p50).toBeLessThanOrEqual(report.latencyMs.p99);
    expect(report.cases[2]!.failed[0]!.reason).toMatch(/lacks "delta"/);
    expect(report.cases[0]!.traceUrl).toBe(`http://127.0.0.1:4777/#/runs/${report.cases[0]!.runId}`);
    const html = toHtml(report);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('beta &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    expect(toMarkdown(report)).toMatch(/\| c \| \*\*FAIL\*\* \| contains: text lacks "delta"/);
  });

  it('against a baseline: a regression and a new failure fail the gate; a known failure does not', async () => {
    const first = buildReport(await evaluate(target, cases), { dataset: 'd', model: 'scripted' });
    expect(gatePasses(first)).toBe(false); // no baseline: any failure fails
    const same = compareWithBaseline(buildReport(await evaluate(target, cases), { dataset: 'd', model: 'scripted' }), first, 'base.json');
    expect(same.baseline).toMatchObject({ regressions: [], newFailures: [], improvements: [] });
    expect(gatePasses(same)).toBe(true); // c was already failing

    answers.a = 'omega';
    const extra = parseDataset([...cases.map((c) => JSON.stringify(c)), '{"id":"d","input":"d","expect":[{"type":"contains","value":"x"}]}'].join('\n'));
    const worse = compareWithBaseline(buildReport(await evaluate(target, extra), { dataset: 'd', model: 'scripted' }), first, 'base.json');
    expect(worse.baseline).toMatchObject({ regressions: ['a'], newFailures: ['d'], improvements: [] });
    expect(worse.cases.find((c) => c.id === 'a')!.change).toBe('regression');
    expect(gatePasses(worse)).toBe(false);
    answers.a = 'alpha';
  });
});
