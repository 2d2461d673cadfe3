/**
 * Reflexion: generate → run the tests in the sandbox → reflect → retry with
 * the lesson in memory; lessons persist across runs of a task family through
 * the SQLite store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { example, SUPPLIER_ROW_TESTS, TASK_DESCRIPTION, reflexionScript } from '../../examples/vend/reflexion-coding.js';
import { BudgetExceeded, ConfigError } from '../../src/core/errors.js';
import { step } from '../../src/core/step.js';
import { run } from '../../src/core/run.js';
import { scripted } from '../../src/models/scripted.js';
import {
  codeGenerator, codeReflector, extractCode, jsonEqual, reflexion, type CodingTask, type GenerateRequest, type Reflection, type ReflectRequest,
} from '../../src/sandbox/reflexion.js';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { openStore } from '../../src/store/open.js';

const sandbox = createSandbox({ timeoutMs: 15_000, memoryMb: 64 });
const dir = mkdtempSync(join(tmpdir(), 'reflexion-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DOUBLE: CodingTask = {
  description: 'Double a number; null stays null.',
  tests: [
    { name: 'two', input: 2, expected: 4 },
    { name: 'null', input: null, expected: null },
  ],
};

/** A generator that records what it was shown and answers from a list of programs. */
function recordingGenerator(programs: string[]) {
  const seen: GenerateRequest[] = [];
  const gen = step('gen', (req: GenerateRequest) => {
    seen.push(structuredClone(req));
    return '```js\n' + programs[Math.min(req.attempt - 1, programs.length - 1)]! + '\n```';
  });
  return { gen, seen };
}

const reflectOn = (req: ReflectRequest): Reflection => ({
  succeeded: false,
  error_analysis: `attempt ${req.attempt} failed: ${req.error.split('\n')[0]}`,
  what_to_fix: `fix attempt ${req.attempt}`,
});

describe.concurrent('reflexion', () => {
  it('runs the vend example: a failed attempt, its reflection, then a passing attempt', async () => {
    const out = await example.run(example.defaultInput);
    expect(out.outcome).toBe('passed on attempt 2');
    const details = out.details as { attempts: { passed: boolean; error: string | null; reflection: Reflection | null; code: string }[]; memory: unknown[] };
    const [first, second] = details.attempts;
    expect(first!.passed).toBe(false);
    expect(first!.error).toMatch(/european thousands failed/);
    expect(first!.reflection?.what_to_fix).toMatch(/1\.234,50/);
    expect(second!.passed).toBe(true);
    expect(second!.reflection).toBeNull();
    expect(details.memory).toHaveLength(1);
    expect(out.answer).toMatch(/attempt 1: FAILED/);
    expect(out.answer).toMatch(/reflection:/);
    expect(out.answer).toMatch(/attempt 2: PASSED \(6\/6 tests/);
    expect(out.result.scripted).toBe(true);
    // The sandbox run is a tool span in the trace, under the reflexion step.
    expect(out.result.trace.filter((s) => s.kind === 'tool' && s.name === 'sandbox')).toHaveLength(2);
  });

  it('shows each attempt the lessons so far and keeps every attempt with code, error and reflection', async () => {
    const { gen, seen } = recordingGenerator(['function main(x) { return x; }', 'function main(x) { return x + x; }', 'function main(x) { return x * 3; }']);
    const agent = reflexion(gen, step('reflect', reflectOn), { maxAttempts: 3, sandbox });
    const { output } = await run(agent, DOUBLE);
    expect(output.succeeded).toBe(false);
    expect(output.stopReason).toBe('max_attempts');
    expect(output.attempts.map((a) => a.passed)).toEqual([false, false, false]);
    expect(seen.map((r) => r.memory.length)).toEqual([0, 1, 2]);
    expect(seen[2]!.memory[1]!.reflection.what_to_fix).toBe('fix attempt 2');
    for (const a of output.attempts) {
      expect(a.code).toMatch(/function main/);
      expect(a.error).toBeTruthy();
      expect(a.reflection?.what_to_fix).toBe(`fix attempt ${a.attempt}`);
    }
    // Attempt 1 returns x: the two test fails, the null test passes (compared deterministically).
    expect(output.attempts[0]!.tests.map((t) => t.passed)).toEqual([false, true]);
    expect(output.attempts[0]!.error).toMatch(/two failed for input 2: expected 4, got 2/);
    // x + x turns null into 0.
    expect(output.attempts[1]!.error).toMatch(/null failed for input null: expected null, got 0/);
    expect(output.code).toMatch(/x \* 3/);
  });

  it('stops at the first passing attempt', async () => {
    const { gen } = recordingGenerator(['function main(x) { return x.foo.bar; }', 'function main(x) { return x === null ? null : 2 * x; }']);
    let reflections = 0;
    const agent = reflexion(gen, step('reflect', (r: ReflectRequest) => (reflections++, reflectOn(r))), { maxAttempts: 5, sandbox });
    const { output } = await run(agent, DOUBLE);
    expect(output.succeeded).toBe(true);
    expect(output.attempts).toHaveLength(2);
    expect(reflections).toBe(1);
    expect(output.attempts[0]!.error).toMatch(/threw for input 2: TypeError/);
    expect(output.attempts[0]!.error).toMatch(/main\.js:1/);
  });

  it('feeds sandbox limits back as the error to reflect on', async () => {
    const { gen } = recordingGenerator(['function main(x) { for (;;) {} }', 'function main(x) { return x === null ? null : 2 * x; }']);
    const errors: string[] = [];
    const agent = reflexion(gen, step('reflect', (r: ReflectRequest) => (errors.push(r.error), reflectOn(r))), {
      sandbox,
      limits: { timeoutMs: 30_000, cpuSeconds: 1 },
    });
    const { output } = await run(agent, DOUBLE);
    expect(output.succeeded).toBe(true);
    expect(errors[0]).toMatch(/^cpu_limit:/);
  });

  it('runs Python tasks too', async () => {
    const gen = step('gen', (req: GenerateRequest) =>
      req.attempt === 1 ? '```python\ndef main(x):\n    return x * 2\n```' : '```python\ndef main(x):\n    return None if x is None else x * 2\n```',
    );
    const { output } = await run(reflexion(gen, step('reflect', reflectOn), { sandbox }), { ...DOUBLE, language: 'python' });
    expect(output.succeeded).toBe(true);
    expect(output.attempts[0]!.error).toMatch(/TypeError/);
  });

  it('uses the reference prompts with a model: structured reflection, code from the fenced block', async () => {
    const model = reflexionScript();
    const agent = reflexion(codeGenerator(model), codeReflector(model), { sandbox });
    const { output, trace } = await run(agent, { description: TASK_DESCRIPTION, tests: SUPPLIER_ROW_TESTS });
    expect(output.succeeded).toBe(true);
    const models = trace.filter((s) => s.kind === 'model');
    expect(models.map((s) => s.name)).toEqual(['generate-code', 'reflect', 'generate-code']);
  });

  it('rejects a reflection that does not match the schema', async () => {
    const bad = scripted([{ object: { succeeded: 'no' } }, { object: { error_analysis: 'x' } }]);
    const { gen } = recordingGenerator(['function main(x) { return x; }']);
    await expect(run(reflexion(gen, codeReflector(bad), { sandbox }), DOUBLE)).rejects.toThrow(/does not match the schema/);
  });

  it('counts sandbox runs against the budget\'s tool calls', async () => {
    const { gen } = recordingGenerator(['function main(x) { return x; }']);
    const agent = reflexion(gen, step('reflect', reflectOn), { maxAttempts: 3, sandbox });
    await expect(run(agent, DOUBLE, { budget: { maxToolCalls: 1 } })).rejects.toBeInstanceOf(BudgetExceeded);
  });

  it('checks its configuration', () => {
    const { gen } = recordingGenerator(['']);
    expect(() => reflexion(gen, step('r', reflectOn), { maxAttempts: 0 })).toThrow(ConfigError);
    return expect(run(reflexion(gen, step('r', reflectOn), { sandbox }), { description: 'x', tests: [] })).rejects.toThrow(/at least one test/);
  });
});

describe('reflexion memory across runs (SQLite store)', () => {
  it('a later run of the same family starts with the earlier lessons', async () => {
    const file = join(dir, 'store.db');
    const task: CodingTask = { description: TASK_DESCRIPTION, tests: SUPPLIER_ROW_TESTS, family: 'supplier-csv' };
    const model = reflexionScript();
    const agent = () => reflexion(codeGenerator(model), codeReflector(model), { sandbox });

    const store1 = await openStore(file);
    const first = await run(agent(), task, { store: store1 });
    await store1.close();
    expect(first.output.priorLessons).toBe(0);
    expect(first.output.attempts).toHaveLength(2);

    // A new process would open the same file: the lesson is there, so attempt 1 already applies it.
    const store2 = await openStore(file);
    const second = await run(agent(), task, { store: store2 });
    expect(second.output.priorLessons).toBe(1);
    expect(second.output.attempts).toHaveLength(1);
    expect(second.output.succeeded).toBe(true);
    expect(second.output.memory[0]!.runId).toBe(first.runId);
    expect((await store2.kvList('reflexion:supplier-csv')).length).toBe(1);
    // Another family does not see it.
    const other = await run(agent(), { ...task, family: 'other-csv' }, { store: store2 });
    expect(other.output.priorLessons).toBe(0);
    await store2.close();
  });
});

describe('helpers', () => {
  it('extracts fenced code and compares JSON deterministically', () => {
    expect(extractCode('text\n```python\nx = 1\n```\nmore')).toBe('x = 1\n');
    expect(extractCode('function main() {}')).toBe('function main() {}\n');
    expect(jsonEqual({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual(1, '1')).toBe(false);
  });
});
