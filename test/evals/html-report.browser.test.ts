/**
 * The HTML report opens in Debian's chromium (headless, through playwright-core)
 * and shows its three charts; a model output holding markup stays text.
 * .ci/run installs chromium; without it this test fails and says so.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { streamFromGenerate, type Model } from '../../src/core/model.js';
import { prompt } from '../../src/patterns/prompt.js';
import { parseDataset } from '../../src/evals/dataset.js';
import { evaluate } from '../../src/evals/evaluate.js';
import { buildReport } from '../../src/evals/report/summary.js';
import { toHtml } from '../../src/evals/report/html.js';

const CHROMIUM = '/usr/bin/chromium';

describe('the HTML report in a browser', () => {
  it('shows totals and three charts with bars, and runs nothing from a hostile output', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`).toBe(true);
    const answers = ['fine', 'fine too', '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'];
    // A priced model (so the cost chart has bars) that answers with the case's text after a case-specific wait.
    const priced: Model = {
      provider: 'openai',
      modelId: 'gpt-4o-mini',
      async generate(request) {
        const i = Number(request.messages.at(-1)!.content);
        await new Promise((r) => setTimeout(r, i * 3));
        return { text: answers[i]!, toolCalls: [], usage: { inputTokens: 1000 * (i + 1), outputTokens: 10 }, finishReason: 'stop' };
      },
      stream(request, options) {
        return streamFromGenerate(this, request, options);
      },
    };
    const target = prompt<string, string>({ name: 'hostile', model: priced, instructions: 'Answer.' });
    const cases = parseDataset(answers.map((_, i) => JSON.stringify({ id: `case-${i}`, input: String(i), tags: [i === 2 ? 'xss' : 'plain'], expect: [{ type: 'contains', value: 'fine' }] })).join('\n'));
    const report = buildReport(await evaluate(target, cases), { dataset: 'hostile.jsonl', model: 'scripted' });
    const dir = mkdtempSync(join(tmpdir(), 'ap-eval-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, toHtml(report));

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      // playwright starts chromium on a fresh, empty profile of its own.
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(file).href);
      expect(await page.textContent('#passed')).toMatch(/2\/3/);
      for (const id of ['chart-scores', 'chart-latency', 'chart-cost']) {
        const chart = page.locator(`#${id}`);
        expect(await chart.isVisible()).toBe(true);
        const box = await chart.boundingBox();
        expect(box!.width).toBeGreaterThan(200);
        // Bars with a drawn height: the chart shows data, not an empty frame.
        const heights = await page.$$eval(`#${id} rect.bar`, (rects) => rects.map((r) => Number(r.getAttribute('height'))));
        expect(heights.filter((h) => h > 0).length).toBeGreaterThan(0);
      }
      expect(await page.$$eval('#chart-cost rect.bar', (r) => r.length)).toBe(3);
      // The hostile output is shown as text and ran nothing.
      expect(await page.title()).toBe('Evaluation: hostile');
      expect(await page.locator('tr[data-case="case-2"] pre').last().textContent()).toContain('<script>document.title="pwned"</script>');
      expect(await page.locator('img').count()).toBe(0);
      expect(errors).toEqual([]);
      mkdirSync('.agent-patterns/screenshots', { recursive: true });
      await page.screenshot({ path: '.agent-patterns/screenshots/eval-report.png', fullPage: true });
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
