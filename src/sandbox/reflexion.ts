/**
 * Pattern 13 — Reflexion. The agent writes code, runs it in a real sandbox
 * against the task's test cases, and when a test fails it reflects on the
 * failure in a structured form (succeeded, error_analysis, what_to_fix). The
 * reflection goes into an episodic memory that the next attempt sees, so the
 * agent does not repeat the same mistake. It stops on the first attempt that
 * passes every test, or after `maxAttempts`.
 *
 * Unlike `loop`, the verdict is not another model's opinion: the tests are
 * run and compared deterministically, and the model only explains the
 * failure to itself. With a `family` on the task and a Store on the run, the
 * lessons persist (namespace `reflexion:<family>`), so a later run of the
 * same kind of task starts with them.
 */
import { describeStep } from '../core/shape.js';
import { z } from 'zod';
import type { RunContext } from '../core/context.js';
import { ConfigError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { Step } from '../core/step.js';
import { runStep } from '../core/run-step.js';
import { createSandbox, programFrames, type Sandbox } from './sandbox.js';
import type { SandboxCaseResult, SandboxLanguage, SandboxLimits, SandboxResult } from './types.js';
import { prompt } from '../patterns/prompt.js';
import { isStep } from '../patterns/stage.js';

export interface TestCase {
  name?: string;
  input: unknown;
  /** Compared with the output as JSON values (object key order does not matter). */
  expected: unknown;
}

export interface CodingTask {
  /** What the function must do, in words. */
  description: string;
  /** The function to write is `main(input)` in this language (default 'javascript'). */
  language?: SandboxLanguage;
  tests: readonly TestCase[];
  /** Tasks of one family share lessons across runs through the run's Store. */
  family?: string;
}

/** The reference's reflection schema. */
export const ReflectionSchema = z
  .object({
    succeeded: z.boolean(),
    error_analysis: z.string(),
    what_to_fix: z.string(),
  })
  .strict();
export type Reflection = z.infer<typeof ReflectionSchema>;

/** One lesson of the episodic memory. */
export interface ReflexionMemoryEntry {
  /** The run that learned it (lessons from earlier runs keep their own run id). */
  runId: string;
  attempt: number;
  error: string;
  reflection: Reflection;
  at: number;
}

/** What the generator gets for each attempt. */
export interface GenerateRequest {
  task: CodingTask;
  language: SandboxLanguage;
  attempt: number;
  /** Lessons so far: earlier runs' (oldest first), then this run's. */
  memory: readonly ReflexionMemoryEntry[];
}

/** What the reflector gets after a failed attempt. */
export interface ReflectRequest {
  task: CodingTask;
  language: SandboxLanguage;
  attempt: number;
  code: string;
  error: string;
  memory: readonly ReflexionMemoryEntry[];
}

export interface TestOutcome {
  name: string;
  input: unknown;
  expected: unknown;
  passed: boolean;
  actual?: unknown;
  error?: string;
}

export interface ReflexionAttempt {
  attempt: number;
  code: string;
  passed: boolean;
  /** Why the attempt failed (test mismatches, an exception, a sandbox limit); null when it passed. */
  error: string | null;
  tests: TestOutcome[];
  /** The self-reflection on the failure; null when it passed. */
  reflection: Reflection | null;
  sandbox: Pick<SandboxResult, 'ok' | 'error' | 'durationMs' | 'stdout' | 'stderr' | 'isolation'>;
}

export interface ReflexionResult {
  succeeded: boolean;
  /** The passing code, or the last attempt's code. */
  code: string;
  attempts: ReflexionAttempt[];
  /** The whole episodic memory after the run (earlier runs' lessons, then this run's). */
  memory: ReflexionMemoryEntry[];
  /** How many lessons came from earlier runs of the family. */
  priorLessons: number;
  stopReason: 'passed' | 'max_attempts';
}

export interface ReflexionOptions {
  /** Attempts before giving up (default 3). */
  maxAttempts?: number;
  /** The sandbox to run code in (default: a namespace sandbox, failing closed where unavailable). */
  sandbox?: Sandbox;
  /** Limits for each run of the tests (default: 5 s, 128 MB). */
  limits?: SandboxLimits;
  /** At most this many lessons are shown to the generator, the newest (default 8). */
  memoryWindow?: number;
  /** Output comparison (default: JSON equality, key order ignored). */
  compare?: (actual: unknown, expected: unknown) => boolean;
  name?: string;
}

export function reflexion(
  generator: Step<GenerateRequest, string>,
  reflector: Step<ReflectRequest, Reflection>,
  options: ReflexionOptions = {},
): Step<CodingTask, ReflexionResult> {
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new ConfigError('reflexion.maxAttempts', 'must be an integer >= 1');
  const memoryWindow = options.memoryWindow ?? 8;
  if (!Number.isInteger(memoryWindow) || memoryWindow < 0) throw new ConfigError('reflexion.memoryWindow', 'must be an integer >= 0');
  if (!isStep(generator)) throw new ConfigError('reflexion.generator', 'is not a Step');
  if (!isStep(reflector)) throw new ConfigError('reflexion.reflector', 'is not a Step');
  const compare = options.compare ?? jsonEqual;
  let sandbox = options.sandbox;

  return {
    name: options.name ?? 'reflexion',
    describe: () => ({ kind: 'reflexion', name: options.name ?? 'reflexion', children: [describeStep(generator, 'generator'), describeStep(reflector, 'reflector'), { kind: 'sandbox', name: 'sandbox', role: 'tests' }] }),
    async run(task: CodingTask, ctx: RunContext): Promise<ReflexionResult> {
      validateTask(task);
      const language = task.language ?? 'javascript';
      sandbox ??= createSandbox();
      const namespace = task.family ? `reflexion:${task.family}` : undefined;
      const prior = namespace && ctx.store ? await loadLessons(ctx, namespace) : [];
      const memory: ReflexionMemoryEntry[] = [...prior];
      const attempts: ReflexionAttempt[] = [];

      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const shown = memoryWindow === 0 ? [] : memory.slice(-memoryWindow);
        const raw = await runStep(ctx, generator, { task, language, attempt, memory: shown }, { attempt, lessons: shown.length });
        const code = extractCode(raw);
        const verdict = await runTests(ctx, sandbox, language, code, task.tests, options.limits, compare);
        ctx.tracer.event('decision', verdict.passed ? 'tests-passed' : 'tests-failed', ctx.spanId, {
          attempt,
          passed: verdict.tests.filter((t) => t.passed).length,
          total: verdict.tests.length,
        });
        if (verdict.passed) {
          attempts.push({ attempt, code, passed: true, error: null, tests: verdict.tests, reflection: null, sandbox: verdict.sandbox });
          return { succeeded: true, code, attempts, memory, priorLessons: prior.length, stopReason: 'passed' };
        }
        const reflection = await runStep(ctx, reflector, { task, language, attempt, code, error: verdict.error, memory: shown }, { attempt });
        const lesson: ReflexionMemoryEntry = { runId: ctx.runId, attempt, error: verdict.error, reflection, at: Date.now() };
        memory.push(lesson);
        // Stored right away: a run that dies later still leaves its lessons.
        if (namespace && ctx.store) await ctx.store.kvPut(namespace, lessonKey(lesson), lesson);
        attempts.push({ attempt, code, passed: false, error: verdict.error, tests: verdict.tests, reflection, sandbox: verdict.sandbox });
      }
      const last = attempts[attempts.length - 1]!;
      return { succeeded: false, code: last.code, attempts, memory, priorLessons: prior.length, stopReason: 'max_attempts' };
    },
  };
}

function validateTask(task: CodingTask): void {
  if (!task || typeof task.description !== 'string' || !task.description.trim()) throw new ConfigError('reflexion.task.description', 'is required');
  if (!Array.isArray(task.tests) || task.tests.length === 0) throw new ConfigError('reflexion.task.tests', 'needs at least one test case: the tests are the verdict');
  if (task.language !== undefined && task.language !== 'javascript' && task.language !== 'python') {
    throw new ConfigError('reflexion.task.language', 'must be "javascript" or "python"');
  }
}

async function loadLessons(ctx: RunContext, namespace: string): Promise<ReflexionMemoryEntry[]> {
  const rows = await ctx.store!.kvList(namespace);
  return rows
    .map((r) => r.value as ReflexionMemoryEntry)
    .filter((v) => v && typeof v === 'object' && v.reflection && typeof v.reflection.what_to_fix === 'string')
    .sort((a, b) => a.at - b.at);
}

/** Sortable by time, unique per run and attempt. */
function lessonKey(l: ReflexionMemoryEntry): string {
  return `${String(l.at).padStart(15, '0')}:${l.runId}:${l.attempt}`;
}

interface Verdict {
  passed: boolean;
  error: string;
  tests: TestOutcome[];
  sandbox: ReflexionAttempt['sandbox'];
}

/** Runs every test case in one sandbox process (batch mode) and compares deterministically. */
async function runTests(
  ctx: RunContext,
  sandbox: Sandbox,
  language: SandboxLanguage,
  code: string,
  tests: readonly TestCase[],
  limits: SandboxLimits | undefined,
  compare: (a: unknown, b: unknown) => boolean,
): Promise<Verdict> {
  ctx.budget.chargeToolCall();
  const span = ctx.tracer.start('tool', 'sandbox', ctx.spanId, { language, tests: tests.length });
  let result: SandboxResult;
  try {
    result = await sandbox.run({ language, code, batch: tests.map((t) => t.input), ...limits }, { signal: ctx.signal, requireMain: true });
  } catch (err) {
    span.fail(err);
    throw err;
  }
  span.end({ ok: result.ok, failure: result.error?.kind, durationMs: result.durationMs, isolation: result.isolation });
  const sandboxInfo = { ok: result.ok, error: result.error, durationMs: result.durationMs, stdout: clip(result.stdout, 2000), stderr: clip(result.stderr, 2000), isolation: result.isolation };
  const names = tests.map((t, i) => t.name ?? `test ${i + 1}`);
  if (!result.ok || !Array.isArray(result.output) || result.output.length !== tests.length) {
    const why = result.error ? `${result.error.kind}: ${result.error.message}` : 'the program did not return one result per test';
    const outcomes = tests.map((t, i) => ({ name: names[i]!, input: t.input, expected: t.expected, passed: false, error: why }));
    return { passed: false, error: clip(why, 2000), tests: outcomes, sandbox: sandboxInfo };
  }
  const cases = result.output as SandboxCaseResult[];
  const outcomes: TestOutcome[] = tests.map((t, i) => {
    const c = cases[i]!;
    const base = { name: names[i]!, input: t.input, expected: t.expected };
    if (!c.ok) return { ...base, passed: false, error: `${c.error.name}: ${c.error.message}${c.error.stack ? programFrames(c.error.stack) : ''}` };
    return { ...base, passed: compare(c.output, t.expected), actual: c.output };
  });
  const failed = outcomes.filter((o) => !o.passed);
  const error = failed
    .map((o) =>
      o.error !== undefined
        ? `${o.name} threw for input ${show(o.input)}: ${o.error}`
        : `${o.name} failed for input ${show(o.input)}: expected ${show(o.expected)}, got ${show(o.actual)}`,
    )
    .join('\n');
  return { passed: failed.length === 0, error: clip(error, 4000), tests: outcomes, sandbox: sandboxInfo };
}

/** JSON equality with object keys in any order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const o = value as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return value;
  }) ?? 'undefined';
}

function show(v: unknown): string {
  return clip(canonical(v), 300);
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** The code inside the first fenced block, or the whole text when there is none. */
export function extractCode(text: string): string {
  const fenced = /```[a-zA-Z]*\s*\n([\s\S]*?)```/.exec(text);
  return (fenced ? fenced[1]! : text).trim() + '\n';
}

// ---------------------------------------------------------------------------
// The reference's prompts, as ready-made generator and reflector steps.

const LANGUAGE_NAME: Record<SandboxLanguage, string> = { javascript: 'JavaScript', python: 'Python' };

export function generatorInstructions(language: SandboxLanguage): string {
  return (
    `Write a ${LANGUAGE_NAME[language]} function for the given data transformation task. ` +
    'Handle edge cases explicitly. Learn from past failures. ' +
    `Define it as \`${language === 'python' ? 'def main(input)' : 'function main(input)'}\` returning the result; ` +
    'no imports of network or file-system modules. Answer with the code in one fenced block.'
  );
}

export const REFLECTOR_INSTRUCTIONS = 'Analyze why this code failed. Identify the root cause and what should change in the next attempt.';

/** The generator's user message: the task, its tests and the past failures (the reference's memory context). */
export function renderGenerateRequest(req: GenerateRequest): string {
  const memory = req.memory
    .map((m) => `Attempt ${m.attempt}${m.runId ? ` (run ${m.runId.slice(0, 8)})` : ''}: FAILED\nError: ${m.error}\nReflection: ${m.reflection.what_to_fix}`)
    .join('\n\n');
  const examples = req.task.tests.map((t) => `main(${canonical(t.input)}) → ${canonical(t.expected)}`).join('\n');
  return `Task:\n${req.task.description}\n\nExamples that must hold:\n${examples}\n\nPast failures:\n${memory || 'None yet'}`;
}

export function renderReflectRequest(req: ReflectRequest): string {
  return `Code:\n${req.code}\n\nError:\n${req.error}`;
}

/** A generator Step on a model, with the reference's prompt. Returns the model's text (code is extracted from it). */
export function codeGenerator(model: Model, options: { language?: SandboxLanguage; instructions?: string; name?: string } = {}): Step<GenerateRequest, string> {
  const byLanguage = new Map<SandboxLanguage, Step<string, string>>();
  const stepFor = (language: SandboxLanguage) => {
    let s = byLanguage.get(language);
    if (!s) {
      s = prompt<string, string>({ name: options.name ?? 'generate-code', model, instructions: options.instructions ?? generatorInstructions(language) });
      byLanguage.set(language, s);
    }
    return s;
  };
  return {
    name: options.name ?? 'generate-code',
    run: (req, ctx) => stepFor(options.language ?? req.language).run(renderGenerateRequest(req), ctx),
  };
}

/** A reflector Step on a model: structured output validated against ReflectionSchema. */
export function codeReflector(model: Model, options: { instructions?: string; name?: string } = {}): Step<ReflectRequest, Reflection> {
  return prompt<ReflectRequest, Reflection>({
    name: options.name ?? 'reflect',
    model,
    instructions: options.instructions ?? REFLECTOR_INSTRUCTIONS,
    input: renderReflectRequest,
    output: ReflectionSchema,
  });
}

/** `reflexion` with the reference's prompts on one model (or a generator model and a reflector model). */
export function reflexionAgent(models: Model | { generator: Model; reflector: Model }, options: ReflexionOptions = {}): Step<CodingTask, ReflexionResult> {
  const m = 'generate' in models ? { generator: models, reflector: models } : models;
  return reflexion(codeGenerator(m.generator), codeReflector(m.reflector), options);
}
