/**
 * Datasets of evaluation cases: JSONL, one case a line. A case is an input
 * and the expectations its run must meet; a bad line is refused with its
 * line number and field, before anything runs.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { BudgetLimits } from '../core/budget.js';
import { AgentPatternsError } from '../core/errors.js';

/** One expectation: `type` names the scorer, the other fields are its parameters. */
export interface Expectation {
  type: string;
  [param: string]: unknown;
}

export interface EvalCase {
  id: string;
  input: unknown;
  expect: Expectation[];
  tags?: string[];
  budget?: BudgetLimits;
}

/** A dataset line that cannot be used; `line` is 1-based, `field` the JSON path that is wrong. */
export class DatasetError extends AgentPatternsError {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly field: string,
    detail: string,
  ) {
    super('DATASET_INVALID', `${source}:${line}: ${field ? `${field}: ` : ''}${detail}`);
  }
}

const budgetSchema = z.strictObject({
  maxModelTurns: z.number().nonnegative().optional(),
  maxToolCalls: z.number().nonnegative().optional(),
  maxInputTokens: z.number().nonnegative().optional(),
  maxOutputTokens: z.number().nonnegative().optional(),
  maxTotalTokens: z.number().nonnegative().optional(),
  maxCostUsd: z.number().nonnegative().optional(),
  maxWallMs: z.number().positive().optional(),
});

const caseSchema = z.strictObject({
  id: z.string().min(1),
  input: z.unknown().refine((v) => v !== undefined, 'is required'),
  expect: z.array(z.looseObject({ type: z.string().min(1) })).min(1, 'needs at least one expectation'),
  tags: z.array(z.string()).optional(),
  budget: budgetSchema.optional(),
});

/** Parses JSONL text (blank lines and lines starting with `//` are skipped). Case ids must be unique. */
export function parseDataset(text: string, source = 'dataset'): EvalCase[] {
  const cases: EvalCase[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('//')) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new DatasetError(source, i + 1, '', `not valid JSON (${(err as Error).message})`);
    }
    const parsed = caseSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new DatasetError(source, i + 1, issue.path.map(String).join('.'), issue.message);
    }
    const c = parsed.data as EvalCase;
    const first = seen.get(c.id);
    if (first !== undefined) throw new DatasetError(source, i + 1, 'id', `"${c.id}" repeats the id of line ${first}`);
    seen.set(c.id, i + 1);
    cases.push(c);
  }
  if (cases.length === 0) throw new DatasetError(source, 1, '', 'the dataset has no cases');
  return cases;
}

export function loadDataset(path: string): EvalCase[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DatasetError(path, 0, '', `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseDataset(text, path);
}
