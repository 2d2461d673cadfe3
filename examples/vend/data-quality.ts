/**
 * Pattern 4 — loop. Supplier CSV extracts arrive messy. Profile the sample
 * once, then loop: propose a cleaning plan → a judge returns a structured
 * verdict {passes, reason, remaining_issues}. The stop condition is code
 * (`verdict.passes`), the round cap is mandatory, and each rejected verdict
 * is fed into the next proposal.
 */
import { z } from 'zod';
import { type Model, step, runStep, run, loop, type LoopRound, prompt, sequence } from 'agent-patterns';
import { lastUserMessage, scriptedByRules } from 'agent-patterns/testing';
import type { VendExample } from './types.js';

// The reference's prompts and verdict schema.
export const PROFILE_PROMPT =
  'Profile tabular data. Identify missing values, inconsistent formats, suspicious categories, and likely schema issues.';
export const PLAN_PROMPT =
  'Propose a safe pandas cleaning plan. Prefer reversible transformations. Do not drop columns unless explicitly justified.';
export const JUDGE_PROMPT = 'Judge whether the cleaning plan addresses the data profile without unsafe assumptions.';

export const QualityVerdict = z.object({ passes: z.boolean(), reason: z.string(), remaining_issues: z.array(z.string()) });
export type QualityVerdict = z.infer<typeof QualityVerdict>;

export interface Profiled {
  sample: string;
  profile: string;
}
export interface CleaningRound {
  plan: string;
  verdict: QualityVerdict;
}

export const SAMPLE_ROWS = [
  'sku,supplier,price,currency,received_date,category,notes',
  'A-100,Acme,12.50,USD,2026-03-01,Electronics,',
  'A-101,Acme,,usd,03/02/2026,electronics,backorder',
  'B-200,Borealis,8.99,EUR,2026-03-02,Home & Garden,',
  'B-201,Borealis,9.5,eur,2026/03/04,home and garden,',
  'C-300,,15.00,USD,2026-03-05,Toys,fragile',
  'C-301,Cirrus,-3.00,USD,,Toys,',
].join('\n');

/** A deterministic profile of a CSV sample (what the scripted profiler "sees"). */
function profileCsv(csv: string): string {
  const [header, ...rows] = csv.trim().split('\n').map((l) => l.split(','));
  if (!header || rows.length === 0) return 'Empty sample: no rows to profile.';
  const lines = [`${rows.length} rows, ${header.length} columns: ${header.join(', ')}.`];
  header.forEach((col, i) => {
    const values = rows.map((r) => (r[i] ?? '').trim());
    const missing = values.filter((v) => v === '').length;
    if (missing) lines.push(`- ${col}: ${missing} missing value(s).`);
    const present = values.filter(Boolean);
    const lowerGroups = new Set(present.map((v) => v.toLowerCase().replace(/\s*(&|and)\s*/g, '&')));
    if (/currency|category/.test(col) && lowerGroups.size < new Set(present).size) lines.push(`- ${col}: inconsistent spelling/case (${[...new Set(present)].join(' | ')}).`);
    if (/date/.test(col) && new Set(present.map((v) => v.replace(/\d/g, '9'))).size > 1) lines.push(`- ${col}: mixed date formats (${present.join(' | ')}).`);
    if (/price/.test(col) && present.some((v) => Number(v) < 0)) lines.push(`- ${col}: negative value(s) (${present.filter((v) => Number(v) < 0).join(', ')}), likely sign errors or credits.`);
  });
  return lines.join('\n');
}

/** Scripted profiler, planner and judge: the first plan drops rows, the judge rejects it, the revised plan passes. */
export function dataQualityScript(): Model {
  const UNSAFE = /dropna|drop\(columns/;
  return scriptedByRules([
    { match: 'Profile tabular data', reply: (req) => profileCsv(lastUserMessage(req)) },
    {
      match: 'Propose a safe pandas cleaning plan',
      reply: (req) =>
        lastUserMessage(req).includes('Reviewer feedback')
          ? [
              "1. df['currency'] = df['currency'].str.upper()  # reversible normalisation",
              "2. df['category'] = df['category'].str.lower().str.replace(' and ', ' & ')  # map spelling variants",
              "3. df['received_date'] = pd.to_datetime(df['received_date'], format='mixed')  # keep the raw column as received_date_raw",
              "4. df['price_missing'] = df['price'].isna(); df['supplier_missing'] = df['supplier'].isna()  # flag, do not drop",
              "5. df['price_suspect'] = df['price'] < 0  # route negative prices to supplier review, keep the value",
              "6. keep 'notes' (free text, used by warehouse staff)",
            ].join('\n')
          : [
              "1. df = df.dropna()  # remove incomplete rows",
              "2. df = df.drop(columns=['notes'])  # mostly empty",
              "3. df['currency'] = df['currency'].str.upper()",
              "4. df['received_date'] = pd.to_datetime(df['received_date'])",
            ].join('\n'),
    },
    {
      match: 'Judge whether the cleaning plan',
      reply: (req) => {
        const plan = lastUserMessage(req).split('Plan:\n')[1] ?? '';
        const issues: string[] = [];
        if (/dropna/.test(plan)) issues.push('dropna() deletes every row with an empty field, including rows with valid prices; flag missing values instead');
        if (/drop\(columns/.test(plan)) issues.push("dropping 'notes' is not justified: it carries operational information");
        if (!/price\S* < 0|negative/i.test(plan)) issues.push('negative prices are not handled');
        if (!/category/.test(plan)) issues.push('category spelling variants are not normalised');
        const passes = !UNSAFE.test(plan) && issues.length === 0;
        return {
          object: {
            passes,
            reason: passes ? 'All profiled issues are handled with reversible transformations; no rows or columns are lost.' : 'The plan loses data and misses profiled issues.',
            remaining_issues: issues,
          },
        };
      },
    },
  ]);
}

export function dataQualityRepair(model: Model = dataQualityScript(), maxRounds = 3) {
  const profiler = prompt<string, string>({ name: 'profile', model, instructions: PROFILE_PROMPT });
  const planner = prompt<{ profile: string; previousPlan: string | undefined }, string>({
    name: 'propose-plan',
    model,
    instructions: PLAN_PROMPT,
    input: (x) => `Profile:\n${x.profile}\n\nPrevious attempt:\n${x.previousPlan ?? 'None'}`,
  });
  const judge = prompt<{ profile: string; plan: string }, QualityVerdict>({
    name: 'judge',
    model,
    instructions: JUDGE_PROMPT,
    input: (x) => `Profile:\n${x.profile}\n\nPlan:\n${x.plan}`,
    output: QualityVerdict,
  });

  const round = step('cleaning-round', async (r: LoopRound<Profiled, CleaningRound>, ctx): Promise<CleaningRound> => {
    // Reviewer feedback from every earlier round goes with the profile, so the next proposal is informed.
    const feedback = r.history.map((h, i) => `\nReviewer feedback (round ${i + 1}):\n${JSON.stringify(h.verdict)}`).join('');
    const profile = r.input.profile + feedback;
    const plan = await runStep(ctx, planner, { profile, previousPlan: r.previous?.plan });
    const verdict = await runStep(ctx, judge, { profile: r.input.profile, plan });
    return { plan, verdict };
  });

  return sequence(
    step('profile-sample', async (sample: string, ctx): Promise<Profiled> => ({ sample, profile: await profiler.run(sample, ctx) })),
    loop(round, { until: (o) => o.verdict.passes, maxRounds, name: 'repair-loop' }),
  ).named('data-quality');
}

export const example: VendExample = {
  name: 'data-quality',
  pattern: 4,
  patternName: 'loop',
  summary: 'Profiles a supplier CSV, then proposes and judges cleaning plans until the judge passes one (max 3 rounds).',
  inputHelp: 'CSV rows to clean (header line first)',
  defaultInput: SAMPLE_ROWS,
  root: () => dataQualityRepair(),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const result = await run(dataQualityRepair(model), input, runOptions);
    const { output, rounds, passed, history } = result.output;
    const r = `${rounds} round${rounds === 1 ? '' : 's'}`;
    return {
      outcome: passed ? `passed after ${r}` : `not passed after ${r}`,
      answer: output.plan,
      details: { rounds, passed, verdicts: history.map((h) => h.verdict) },
      result,
    };
  },
};
