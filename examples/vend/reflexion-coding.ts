/**
 * Pattern 13 — Reflexion. Vend's data team asks for a one-off transformation:
 * normalise supplier CSV rows (trim fields, parse prices written as "$12",
 * "€ 7,5" or "1.234,50", default missing values). The agent writes the
 * function, runs it in the sandbox against the test rows, reflects on what
 * failed and tries again with that lesson in memory.
 *
 * The scripted model's first attempt handles "$12" and "7,5" but not
 * thousands separators; the tests catch "1.234,50", the reflection names it,
 * and the second attempt passes. The code really runs, in the sandbox.
 */
import { z } from 'zod';
import { ConfigError, run, type Model } from 'agent-patterns';
import { reflexionAgent, type CodingTask, type ReflexionAttempt } from 'agent-patterns/sandbox';
import { lastUserMessage, scriptedByRules } from 'agent-patterns/testing';
import type { VendExample } from './types.js';

export const SUPPLIER_ROW_TESTS: CodingTask['tests'] = [
  { name: 'plain row', input: { sku: ' ab-100 ', name: '  Desk lamp ', price: '12.50', qty: '3' }, expected: { sku: 'AB-100', name: 'Desk lamp', price: 12.5, qty: 3 } },
  { name: 'dollar price', input: { sku: 'ab-101', name: 'Bulb', price: '$12', qty: ' 10 ' }, expected: { sku: 'AB-101', name: 'Bulb', price: 12, qty: 10 } },
  { name: 'decimal comma', input: { sku: 'ab-102', name: 'Shade', price: '€ 7,5', qty: '1' }, expected: { sku: 'AB-102', name: 'Shade', price: 7.5, qty: 1 } },
  { name: 'european thousands', input: { sku: 'ab-103', name: 'Floor lamp', price: '1.234,50', qty: '2' }, expected: { sku: 'AB-103', name: 'Floor lamp', price: 1234.5, qty: 2 } },
  { name: 'us thousands', input: { sku: 'ab-104', name: 'Chandelier', price: '$1,299.00', qty: '1' }, expected: { sku: 'AB-104', name: 'Chandelier', price: 1299, qty: 1 } },
  { name: 'missing values', input: { sku: 'ab-105', name: 'Cable', price: '' }, expected: { sku: 'AB-105', name: 'Cable', price: null, qty: 0 } },
];

export const TASK_DESCRIPTION =
  'Normalise one supplier CSV row {sku, name, price, qty} (all strings, any may be missing): trim every field, upper-case the sku, ' +
  'parse the price to a number whatever the currency sign or separators ("$12", "€ 7,5", "1.234,50", "$1,299.00"), ' +
  'null when there is no price, and qty as an integer defaulting to 0.';

/** Attempt 1: trims and strips currency signs, but treats every comma as a decimal comma. */
const FIRST_ATTEMPT = `Here is the function:

\`\`\`javascript
function main(row) {
  const text = (v) => (v ?? '').trim();
  const price = text(row.price).replace(/[^0-9.,-]/g, '').replace(',', '.');
  const qty = parseInt(text(row.qty), 10);
  return {
    sku: text(row.sku).toUpperCase(),
    name: text(row.name),
    price: price === '' ? null : Number(price),
    qty: Number.isNaN(qty) ? 0 : qty,
  };
}
\`\`\``;

/** Attempt 2: the last separator is the decimal one; the other is a thousands separator. */
const SECOND_ATTEMPT = `Following the reflection, the price parser now tells thousands separators from the decimal separator:

\`\`\`javascript
function parsePrice(raw) {
  let s = (raw ?? '').trim().replace(/[^0-9.,-]/g, '');
  if (s === '') return null;
  if (s.lastIndexOf(',') > s.lastIndexOf('.')) s = s.replace(/\\./g, '').replace(',', '.'); // 1.234,50 / 7,5
  else s = s.replace(/,/g, ''); // 1,299.00
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function main(row) {
  const text = (v) => (v ?? '').trim();
  const qty = parseInt(text(row.qty), 10);
  return {
    sku: text(row.sku).toUpperCase(),
    name: text(row.name),
    price: parsePrice(row.price),
    qty: Number.isNaN(qty) ? 0 : qty,
  };
}
\`\`\``;

/** Scripted generator and reflector. The reflection is built from the error the sandbox really reported. */
export function reflexionScript(): Model {
  return scriptedByRules([
    {
      match: 'Write a JavaScript function',
      reply: (req) => (/Past failures:\nNone yet/.test(lastUserMessage(req)) ? FIRST_ATTEMPT : SECOND_ATTEMPT),
    },
    {
      match: 'Analyze why this code failed',
      reply: (req) => {
        const error = lastUserMessage(req).split('\nError:\n')[1] ?? '';
        const failing = [...error.matchAll(/"price":"([^"]+)"/g)].map((m) => m[1]);
        const named = failing.length ? failing.map((p) => `"${p}"`).join(' and ') : 'the failing rows';
        return {
          object: {
            succeeded: false,
            error_analysis:
              `The price parser replaced the first comma with a dot and kept every other separator, so prices with a thousands separator (${named}) ` +
              'became strings like "1.234.50" and Number() returned NaN, serialised as null.',
            what_to_fix:
              `Treat the LAST of "." and "," as the decimal separator and remove the other one as a thousands separator before parsing (${named}); keep "7,5" → 7.5 and "$12" → 12 working.`,
          },
        };
      },
    },
  ]);
}

export const example: VendExample = {
  name: 'reflexion-coding',
  pattern: 13,
  patternName: 'Reflexion',
  summary: 'Writes a supplier-CSV normaliser, runs it in the sandbox against test rows, reflects on the failure and retries.',
  inputHelp: 'a task description for the supplier-row normaliser, or JSON {"description": "...", "tests": [{"name", "input", "expected"}, ...]}',
  defaultInput: TASK_DESCRIPTION,
  root: () => reflexionAgent(reflexionScript()),
  checkInput: (input) => void parseTask(input),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const agent = reflexionAgent(model ?? reflexionScript(), { maxAttempts: 3, limits: { timeoutMs: 15_000, cpuSeconds: 5, memoryMb: 64 } });
    const task = parseTask(input);
    const result = await run(agent, task, runOptions);
    const out = result.output;
    return {
      outcome: out.succeeded ? `passed on attempt ${out.attempts.length}` : `failed after ${out.attempts.length} attempts`,
      answer: out.attempts.map(renderAttempt).join('\n\n'),
      details: { succeeded: out.succeeded, stopReason: out.stopReason, priorLessons: out.priorLessons, attempts: out.attempts, memory: out.memory },
      result,
    };
  },
};

const TaskInput = z.strictObject({
  description: z.string().trim().min(1),
  tests: z.array(z.strictObject({ name: z.string().min(1), input: z.unknown(), expected: z.unknown() })).min(1).optional(),
});

/**
 * Plain text: a description of the supplier-row normaliser, tested on SUPPLIER_ROW_TESTS. JSON: your own
 * description and test rows (the scripted model only knows the supplier rows; bring a real model for others).
 */
export function parseTask(input: string): CodingTask {
  if (!input.trim()) throw new ConfigError('input', 'reflexion-coding needs a task description');
  if (!input.trimStart().startsWith('{')) return { description: input, language: 'javascript', tests: SUPPLIER_ROW_TESTS, family: 'supplier-csv' };
  let json: unknown;
  try {
    json = JSON.parse(input);
  } catch (err) {
    throw new ConfigError('input', `reflexion-coding: the input starts with "{" but is not JSON (${(err as Error).message})`);
  }
  const parsed = TaskInput.safeParse(json);
  if (!parsed.success) throw new ConfigError('input', `reflexion-coding takes {"description": "...", "tests": [{"name", "input", "expected"}]}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const { description, tests } = parsed.data;
  return tests
    ? { description, language: 'javascript', tests: tests.map((t) => ({ name: t.name, input: t.input, expected: t.expected })), family: 'custom' }
    : { description, language: 'javascript', tests: SUPPLIER_ROW_TESTS, family: 'supplier-csv' };
}

function renderAttempt(a: ReflexionAttempt): string {
  const passed = a.tests.filter((t) => t.passed).length;
  const lines = [`── attempt ${a.attempt}: ${a.passed ? 'PASSED' : 'FAILED'} (${passed}/${a.tests.length} tests, sandbox: ${a.sandbox.isolation}) ──`, a.code.trimEnd()];
  if (a.error) lines.push('error:', indent(a.error));
  if (a.reflection) {
    lines.push('reflection:', indent(`error_analysis: ${a.reflection.error_analysis}`), indent(`what_to_fix: ${a.reflection.what_to_fix}`));
  }
  return lines.join('\n');
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
