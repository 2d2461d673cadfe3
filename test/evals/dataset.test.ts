import { describe, expect, it } from 'vitest';
import { DatasetError, parseDataset } from '../../src/evals/dataset.js';
import { evaluate } from '../../src/evals/evaluate.js';
import { step } from '../../src/core/step.js';
import { ConfigError } from '../../src/core/errors.js';

const echo = step('echo', (input: string) => input);

describe('datasets', () => {
  it('parses JSONL cases, skipping blank and // lines', () => {
    const cases = parseDataset('// header\n\n{"id":"a","input":"x","expect":[{"type":"contains","value":"x"}],"tags":["t"]}\n{"id":"b","input":{"q":1},"expect":[{"type":"exact","value":"y"}],"budget":{"maxModelTurns":2}}\n');
    expect(cases.map((c) => c.id)).toEqual(['a', 'b']);
    expect(cases[1]!.budget).toEqual({ maxModelTurns: 2 });
  });

  it.each([
    ['{"id":"a","input":"x","expect":[{"type":"contains","value":"x"}]}\n{"id":"b","input":"x"', 2, '', /not valid JSON/],
    ['{"id":"a","input":"x","expect":[]}', 1, 'expect', /at least one expectation/],
    ['{"id":"a","expect":[{"type":"exact","value":"x"}]}', 1, 'input', /required/],
    ['{"id":"a","input":"x","expect":[{"value":"x"}]}', 1, 'expect.0.type', /./],
    ['{"id":"a","input":"x","expect":[{"type":"exact","value":"x"}],"budget":{"maxTurns":3}}', 1, 'budget', /maxTurns/],
    ['{"id":"a","input":"x","expect":[{"type":"exact","value":"x"}]}\n\n{"id":"a","input":"y","expect":[{"type":"exact","value":"y"}]}', 3, 'id', /repeats the id of line 1/],
  ])('refuses a bad line with its number and field: %s', (text, line, field, message) => {
    let err: unknown;
    try {
      parseDataset(text, 'cases.jsonl');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatasetError);
    const d = err as DatasetError;
    expect(d.line).toBe(line);
    expect(d.field).toBe(field);
    expect(d.message).toMatch(message);
    expect(d.message.startsWith(`cases.jsonl:${line}:`)).toBe(true);
  });

  it('refuses an expectation no scorer knows, or with parameters its scorer does not take, before any case runs', async () => {
    let runs = 0;
    const counted = step('counted', (input: string) => {
      runs++;
      return input;
    });
    const unknown = parseDataset('{"id":"a","input":"x","expect":[{"type":"sentiment","value":"happy"}]}');
    await expect(evaluate(counted, unknown)).rejects.toThrow(/case a: expect\[0\]\.type: no scorer "sentiment"/);
    const typo = parseDataset('{"id":"a","input":"x","expect":[{"type":"contains","vlaue":"x"}]}');
    await expect(evaluate(counted, typo)).rejects.toBeInstanceOf(ConfigError);
    const judge = parseDataset('{"id":"a","input":"x","expect":[{"type":"judge","rubric":"polite"}]}');
    await expect(evaluate(echo, judge)).rejects.toThrow(/needs a judge model/);
    expect(runs).toBe(0);
  });
});
