/**
 * Pattern 5 — review and critique. A support reply is drafted, a judge
 * returns a structured critique (approved, issues, one required change),
 * and the draft is revised once with that critique. Whether the draft is
 * accepted is decided by code from the verdict's `approved` field.
 */
import { z } from 'zod';
import { type Model, run, critique, type DraftRequest, type JudgeRequest, prompt } from 'agent-patterns';
import { lastUserMessage, scriptedByRules } from 'agent-patterns/testing';
import type { VendExample } from './types.js';

export const WRITER_PROMPT =
  'You are a Vend customer support agent. Write a short, warm reply to the customer using only the policy facts given. ' +
  'If you are given your previous draft and a reviewer critique, revise the draft to make the required change and keep everything else.';
export const JUDGE_PROMPT =
  'You are a support quality reviewer. Critique the draft reply against the customer message and the policy: it must answer the ' +
  'actual question, state a concrete next step with a timeline, promise nothing the policy does not allow, and stay under 120 words. ' +
  'Set approved to true only if every criterion is met; otherwise list the issues and give the single most important concrete change.';

export const SUPPORT_POLICY =
  'Damaged on arrival: free replacement, no need to return photos. A prepaid return label is emailed within 24 hours. ' +
  'For orders under $500 the replacement ships immediately, without waiting for the return; standard delivery is 2 business days.';

export const ReplyCritique = z.object({
  approved: z.boolean(),
  issues: z.array(z.string()),
  required_change: z.string(),
});
export type ReplyCritique = z.infer<typeof ReplyCritique>;

function writerInput(r: DraftRequest<string, string, ReplyCritique>): string {
  const base = `Customer message:\n${r.input}\n\nPolicy:\n${SUPPORT_POLICY}`;
  if (!r.previous) return base;
  const c = r.previous.critique;
  return `${base}\n\nYour previous draft:\n${r.previous.draft}\n\nReviewer critique:\nIssues: ${c.issues.join('; ')}\nRequired change: ${c.required_change}`;
}

function judgeInput(r: JudgeRequest<string, string>): string {
  const retry = r.invalid ? `\n\nYour previous verdict was invalid (${r.invalid.issues}); answer with JSON matching the schema.` : '';
  return `Customer message:\n${r.input}\n\nPolicy:\n${SUPPORT_POLICY}\n\nDraft reply:\n${r.draft}${retry}`;
}

/** Scripted writer and judge: the first draft is vague about what happens next; the judge asks for one concrete change. */
export function reviewScript(): Model {
  const VAGUE = "We'll look into it and get back to you as soon as possible.";
  return scriptedByRules([
    {
      match: 'Vend customer support agent',
      reply: (req) => {
        const msg = lastUserMessage(req);
        const order = /order\s*#?(\d{3,8})/i.exec(msg)?.[1];
        const first = `Hi, I'm really sorry your order${order ? ` ${order}` : ''} arrived damaged — that's not the experience we want for you. ${VAGUE}`;
        const change = /Required change: (.+)$/m.exec(msg)?.[1];
        const draft = /Your previous draft:\n(.+)/.exec(msg)?.[1] ?? first;
        if (!change) return first;
        // Apply the one requested change: the vague promise becomes the concrete next step.
        const concrete = /"([^"]+)"\s*$/.exec(change)?.[1] ?? change;
        return draft.replace(VAGUE, concrete);
      },
    },
    {
      match: 'support quality reviewer',
      reply: (req) => {
        const draft = lastUserMessage(req).split('Draft reply:\n')[1] ?? '';
        const concrete = /within 24 hours|ships (today|immediately)/.test(draft);
        return {
          object: concrete
            ? { approved: true, issues: [], required_change: '' }
            : {
                approved: false,
                issues: ['No concrete next step or timeline: "get back to you as soon as possible" leaves the customer waiting without knowing what happens.'],
                required_change:
                  // The order value is not known here, so the $500 condition is stated, not assumed.
                  'Replace the vague promise with the policy\'s next step and timeline: "A prepaid label for the damaged item is on its way to your email within 24 hours; ' +
                  'for orders under $500 the replacement ships immediately, without waiting for the return, and standard delivery is 2 business days."',
              },
        };
      },
    },
  ]);
}

export function reviewCritique(model: Model = reviewScript()) {
  const writer = prompt<DraftRequest<string, string, ReplyCritique>, string>({ name: 'reply-writer', model, instructions: WRITER_PROMPT, input: writerInput });
  const judge = prompt<JudgeRequest<string, string>, ReplyCritique>({
    name: 'reply-judge', model, instructions: JUDGE_PROMPT, input: judgeInput, output: ReplyCritique,
  });
  return critique(writer, judge, { verdict: ReplyCritique, accept: (v) => v.approved, maxRevisions: 1, name: 'review-critique' });
}

export const example: VendExample = {
  name: 'review-critique',
  pattern: 5,
  patternName: 'review and critique',
  summary: 'Drafts a support reply, gets a structured critique from a judge, and revises the draft once.',
  inputHelp: 'a customer message to draft a reply to',
  defaultInput: 'Hi, order 1042 arrived today with a cracked screen. Can I get a replacement before Friday? It was a birthday present.',
  root: () => reviewCritique(),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const result = await run(reviewCritique(model), input, runOptions);
    const out = result.output;
    return {
      outcome: out.revisions === 0 ? 'approved as drafted' : `revised ${out.revisions === 1 ? 'once' : `${out.revisions} times`} after critique`,
      answer: out.output,
      details: { firstDraft: out.firstDraft, critiques: out.critiques },
      result,
    };
  },
};
