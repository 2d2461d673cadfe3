import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { BudgetExceeded, ConfigError, OutputValidationError, RunAborted } from '../../src/core/errors.js';
import { step } from '../../src/core/step.js';
import { run } from '../../src/core/run.js';
import { lastUserMessage, scriptedByRules } from '../../src/models/scripted.js';
import { critique, type DraftRequest, type JudgeRequest } from '../../src/patterns/critique.js';
import { prompt } from '../../src/patterns/prompt.js';
import type { Model } from '../../src/core/model.js';
import { counting } from './support.js';

const Critique = z.object({ approved: z.boolean(), issues: z.array(z.string()), required_change: z.string() });
type Critique = z.infer<typeof Critique>;

const rules = [
  {
    match: 'WRITER',
    reply: (req: Parameters<typeof lastUserMessage>[0]) => {
      const m = /REQUIRED CHANGE: (.*)/.exec(lastUserMessage(req));
      return m ? `Sorry! ${m[1]}` : 'Sorry!';
    },
  },
  {
    match: 'JUDGE',
    reply: (req: Parameters<typeof lastUserMessage>[0]) => {
      const ok = lastUserMessage(req).includes('label');
      return { object: { approved: ok, issues: ok ? [] : ['no next step'], required_change: ok ? '' : 'We will email a return label today.' } };
    },
  },
];

function reviewer(model: Model = scriptedByRules(rules, { delayMs: 5 }), judgeStep?: Parameters<typeof critique<string, string, Critique>>[1], maxRevisions?: number) {
  const writer = prompt<DraftRequest<string, string, Critique>, string>({
    name: 'writer',
    model,
    instructions: 'WRITER',
    input: (r) => (r.previous ? `${r.input}\nDRAFT: ${r.previous.draft}\nREQUIRED CHANGE: ${r.previous.critique.required_change}` : r.input),
  });
  const judge = prompt<JudgeRequest<string, string>, Critique>({ name: 'judge', model, instructions: 'JUDGE', input: (r) => r.draft, output: Critique });
  return critique(writer, judgeStep ?? judge, { verdict: Critique, accept: (v) => v.approved, name: 'review', ...(maxRevisions !== undefined ? { maxRevisions } : {}) });
}

describe('critique', () => {
  it('drafts, gets a structured critique, revises once with it', async () => {
    const result = await run(reviewer(), 'my screen is cracked');
    expect(result.output.firstDraft).toBe('Sorry!');
    expect(result.output.output).toBe('Sorry! We will email a return label today.');
    expect(result.output.critiques).toEqual([{ approved: false, issues: ['no next step'], required_change: 'We will email a return label today.' }]);
    expect(result.output).toMatchObject({ revisions: 1, accepted: false });
    const verdict = result.trace.find((s) => s.name === 'critique:verdict')!;
    expect(verdict.kind).toBe('decision');
    expect(verdict.attributes.accepted).toBe(false);
  });

  it('keeps a draft the judge accepts, without revising', async () => {
    const model = scriptedByRules([{ match: 'WRITER', reply: 'Here is your return label.' }, ...rules.slice(1)]);
    const result = await run(reviewer(model), 'x');
    expect(result.output).toMatchObject({ output: 'Here is your return label.', revisions: 0, accepted: true });
  });

  it('with maxRevisions 2 re-judges the revision; with 0 it only judges', async () => {
    const two = await run(reviewer(undefined, undefined, 2), 'x');
    expect(two.output).toMatchObject({ revisions: 1, accepted: true, output: 'Sorry! We will email a return label today.' });
    expect(two.output.critiques.map((c) => c.approved)).toEqual([false, true]);
    const zero = await run(reviewer(undefined, undefined, 0), 'x');
    expect(zero.output).toMatchObject({ revisions: 0, accepted: false, output: 'Sorry!' });
    expect(zero.trace.filter((s) => s.kind === 'model').map((s) => s.name)).toEqual(['writer', 'judge']);
  });

  it('feeds an invalid verdict back to the judge once', async () => {
    const seen: JudgeRequest<string, string>[] = [];
    const judge = step('judge', (r: JudgeRequest<string, string>) => {
      seen.push(r);
      return r.invalid ? { approved: true, issues: [], required_change: '' } : '{"approved": "maybe"}';
    });
    const result = await run(reviewer(undefined, judge), 'x');
    expect(result.output.accepted).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.invalid?.issues).toMatch(/approved/);
    expect(seen[1]!.invalid?.raw).toBe('{"approved": "maybe"}');
    expect(result.trace.filter((s) => s.name === 'critique:verdict-invalid')).toHaveLength(1);
  });

  it('fails with OutputValidationError when the verdict is still invalid after the feedback', async () => {
    const judge = step('judge', (): unknown => 'not json at all');
    const err = await run(reviewer(undefined, judge), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputValidationError);
    // Same with a structured prompt as judge: its own retry, then ours, then a typed error.
    const model = counting(scriptedByRules([rules[0]!, { match: 'JUDGE', reply: '{"approved": 1}' }]));
    const err2 = await run(reviewer(model), 'x').catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(OutputValidationError);
    expect(model.calls).toBe(1 + 2 * 2);
  });

  it('stops with BudgetExceeded before the revision, with draft and verdict in the partial trace', async () => {
    const err = await run(reviewer(), 'x', { budget: { maxModelTurns: 2 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceeded);
    const trace = (err as BudgetExceeded).trace;
    expect(trace.filter((s) => s.kind === 'model' && s.status === 'ok').map((s) => s.name)).toEqual(['writer', 'judge']);
    expect(trace.some((s) => s.name === 'critique:verdict')).toBe(true);
  });

  it('is cancelled through the run signal while the judge runs', async () => {
    const ac = new AbortController();
    const model = counting(scriptedByRules(rules, { delayMs: 20 }), ({ calls }) => {
      if (calls === 2) ac.abort('operator stop');
    });
    const err = await run(reviewer(model), 'x', { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunAborted);
    expect(model.aborted).toEqual(['JUDGE']);
    expect(model.calls).toBe(2);
  });

  it('requires a verdict schema and an accept rule', () => {
    const s = step('s', (): string => '');
    expect(() => critique(s, s, { accept: () => true } as never)).toThrow(expect.objectContaining({ field: 'critique.verdict' }));
    expect(() => critique(s, s, { verdict: Critique } as never)).toThrow(ConfigError);
  });
});

describe('review-critique example (pattern 5)', () => {
  it('drafts a reply, the judge asks for one concrete change, the draft is revised once', async () => {
    const { example } = await import('../../examples/vend/review-critique.js');
    const out = await example.run(example.defaultInput);
    expect(out.outcome).toBe('revised once after critique');
    const d = out.details as { firstDraft: string; critiques: { approved: boolean; required_change: string }[] };
    expect(d.critiques).toHaveLength(1);
    expect(d.critiques[0]!.approved).toBe(false);
    expect(d.firstDraft).toContain('as soon as possible');
    expect(out.answer).not.toContain('as soon as possible');
    expect(out.answer).toContain('within 24 hours');
    expect(out.answer).toContain('order 1042');
  });
});
