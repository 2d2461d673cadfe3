/**
 * Pattern 5 — review and critique. A generator drafts, a judge returns a
 * structured critique, and the generator revises with that critique in
 * hand. The verdict is validated against its zod schema: an invalid one is
 * shown to the judge once, then the step fails with OutputValidationError.
 * Whether the critique accepts the draft is decided by code (`accept`),
 * not by parsing prose.
 */
import { describeStep } from '../core/shape.js';
import type { z } from 'zod';
import type { RunContext } from '../core/context.js';
import { ConfigError, OutputValidationError } from '../core/errors.js';
import { formatIssues } from '../core/schema.js';
import type { Step } from '../core/step.js';
import { runStep } from '../core/run-step.js';
import { extractJson } from './agent.js';
import { isStep, type Stage } from './stage.js';

/** What the generator receives: the task, and on a revision the draft and the critique of it. */
export interface DraftRequest<I, D, V> {
  input: I;
  /** 0 for the first draft, 1 for the first revision, ... */
  revision: number;
  previous?: { draft: D; critique: V };
}

/** What the judge receives; `invalid` is set when its previous verdict failed validation. */
export interface JudgeRequest<I, D> {
  input: I;
  draft: D;
  revision: number;
  invalid?: { issues: string; raw: string };
}

export interface CritiqueOptions<V> {
  /** The verdict's schema; the judge's output is validated against it. */
  verdict: z.ZodType<V>;
  /** Deterministic: does this verdict accept the draft as it is? */
  accept: (verdict: V) => boolean;
  /** How many revisions at most (default 1; 0 = judge only). Each follows a rejecting verdict; the last one is not re-judged. */
  maxRevisions?: number;
  name?: string;
}

export interface CritiqueResult<D, V> {
  /** The final draft (revised, or the first one if the judge accepted it). */
  output: D;
  firstDraft: D;
  /** Every verdict, in order. */
  critiques: V[];
  revisions: number;
  /** True when the returned draft itself was accepted by a verdict. */
  accepted: boolean;
}

export function critique<I, D, V>(
  generator: Stage<DraftRequest<I, D, V>, D>,
  judge: Stage<JudgeRequest<I, D>, unknown>,
  options: CritiqueOptions<V>,
): Step<I, CritiqueResult<D, V>> {
  if (!isStep(generator)) throw new ConfigError('critique.generator', 'is not a Step');
  if (!isStep(judge)) throw new ConfigError('critique.judge', 'is not a Step');
  if (!options?.verdict || typeof (options.verdict as { safeParse?: unknown }).safeParse !== 'function') {
    throw new ConfigError('critique.verdict', 'a zod schema for the verdict is required');
  }
  if (typeof options.accept !== 'function') throw new ConfigError('critique.accept', 'a function (verdict) => boolean is required');
  const maxRevisions = options.maxRevisions ?? 1;
  if (!Number.isInteger(maxRevisions) || maxRevisions < 0) throw new ConfigError('critique.maxRevisions', 'must be an integer >= 0');
  const gen = generator as Step<DraftRequest<I, D, V>, D>;
  const judgeStep = judge as Step<JudgeRequest<I, D>, unknown>;

  async function verdictOf(ctx: RunContext, input: I, draft: D, revision: number): Promise<V> {
    let invalid: { issues: string; raw: string } | undefined;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const request: JudgeRequest<I, D> = invalid ? { input, draft, revision, invalid } : { input, draft, revision };
      let raw: unknown;
      try {
        raw = await runStep(ctx, judgeStep, request, { revision, attempt });
      } catch (err) {
        // A judge that validates its own output (a structured prompt) reports it this way.
        if (!(err instanceof OutputValidationError)) throw err;
        invalid = { issues: err.issues, raw: err.raw };
        ctx.tracer.event('decision', 'critique:verdict-invalid', ctx.spanId, { revision, attempt, issues: err.issues });
        if (attempt === 2) throw err;
        continue;
      }
      const parsed = parseVerdict(options.verdict, raw);
      if (parsed.ok) return parsed.value;
      invalid = { issues: parsed.issues, raw: parsed.raw };
      ctx.tracer.event('decision', 'critique:verdict-invalid', ctx.spanId, { revision, attempt, issues: parsed.issues });
    }
    throw new OutputValidationError(invalid!.issues, invalid!.raw);
  }

  return {
    name: options.name ?? `critique(${generator.name},${judge.name})`,
    describe: () => ({ kind: 'critique', name: options.name ?? `critique(${generator.name},${judge.name})`, children: [describeStep(gen, 'generator'), describeStep(judgeStep, 'judge')] }),
    async run(input: I, ctx: RunContext): Promise<CritiqueResult<D, V>> {
      const firstDraft = await runStep(ctx, gen, { input, revision: 0 }, { revision: 0 });
      let draft = firstDraft;
      const critiques: V[] = [];
      // Judge, then revise with the critique; the last revision is returned as is
      // (maxRevisions 0 = judge only). Scored rounds until a bar is met are pattern 6.
      for (let revision = 0; ; revision++) {
        const verdict = await verdictOf(ctx, input, draft, revision);
        critiques.push(verdict);
        const accepted = options.accept(verdict);
        ctx.tracer.event('decision', 'critique:verdict', ctx.spanId, { revision, accepted, verdict });
        if (accepted) return { output: draft, firstDraft, critiques, revisions: revision, accepted: true };
        if (revision === maxRevisions) return { output: draft, firstDraft, critiques, revisions: revision, accepted: false };
        draft = await runStep(ctx, gen, { input, revision: revision + 1, previous: { draft, critique: verdict } }, { revision: revision + 1 });
        if (revision + 1 === maxRevisions) return { output: draft, firstDraft, critiques, revisions: maxRevisions, accepted: false };
      }
    },
  };
}

function parseVerdict<V>(schema: z.ZodType<V>, raw: unknown): { ok: true; value: V } | { ok: false; issues: string; raw: string } {
  let value = raw;
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(extractJson(raw));
    } catch (err) {
      return { ok: false, issues: `not valid JSON (${(err as Error).message})`, raw: text };
    }
  }
  const result = schema.safeParse(value);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: formatIssues(result.error), raw: text ?? String(raw) };
}
