/**
 * Pattern 6 — iterative refinement. Vend's catalogue team drafts a product
 * description; a scorer grades it 0–10 against the catalogue's quality bar,
 * and the writer revises with the scorer's feedback until it reaches 8.
 */
import { z } from 'zod';
import { type Model, run, prompt, refine, type RefineRequest, type Score, type ScoreRequest } from 'agent-patterns';
import { lastUserMessage, scriptedByRules } from 'agent-patterns/testing';
import type { VendExample } from './types.js';

export const WRITER_PROMPT =
  'You write product descriptions for the Vend catalogue. Use only the facts in the brief; never invent specifications. ' +
  'Lead with the customer benefit, keep it under 80 words, and end with one concrete usage scenario. ' +
  'When reviewer feedback is given, revise the previous draft to address every point.';

export const SCORER_PROMPT =
  'You grade product descriptions for the Vend catalogue on a 0-10 scale. ' +
  'Check: every claim is supported by the brief, the benefit comes first, under 80 words, a concrete usage scenario, no filler. ' +
  'Give the score and specific feedback on what would raise it.';

export const SCORE_SCHEMA = z.object({
  score: z.number().min(0).max(10),
  feedback: z.string(),
});

export const THRESHOLD = 8;

type Request = RefineRequest<string, string>;

export function renderWriterInput(r: Request): string {
  let text = `Round: ${r.round}\nProduct brief: ${r.task}`;
  if (r.previous) text += `\n\nPrevious draft (score ${r.previous.score}/10):\n${r.previous.output}\n\nReviewer feedback:\n${r.previous.feedback}`;
  return text;
}

/** Three drafts that get better as the feedback lands, and the grades they earn. */
const DRAFTS = [
  'The Vend Thermo Bottle is a great bottle. It is made of steel and has a lid. It keeps drinks hot or cold for a long time. Buy it today!',
  'Cold water for a full day: the Vend Thermo Bottle (750 ml) keeps drinks cold 24 hours and hot 12 hours thanks to double-wall steel. The lid is leak-proof and it is dishwasher-safe.',
  'Cold water for a full day, hot coffee until the evening: the Vend Thermo Bottle (750 ml) keeps drinks cold 24 hours and hot 12 hours with double-wall steel. ' +
    'The leak-proof lid means it rides safely in a laptop bag, and it goes straight into the dishwasher. ' +
    'Fill it with ice water before a morning hike and it is still cold at the summit.',
];
const GRADES: Score[] = [
  { score: 5, feedback: 'Vague claims ("a long time"), benefit is not first, "great" is filler, no usage scenario, and it omits the 750 ml size and the 24 h / 12 h figures from the brief.' },
  { score: 7, feedback: 'Benefit-first and factual now. Still missing a concrete usage scenario, and "dishwasher-safe" could be tied to a benefit.' },
  { score: 9, feedback: 'Benefit-first, every claim is in the brief, under 80 words, ends with a concrete scenario. Ready to publish.' },
];

export function refinementScript(): Model {
  return scriptedByRules([
    {
      match: 'You write product descriptions',
      reply: (req) => {
        const round = Number(/Round: (\d+)/.exec(lastUserMessage(req))?.[1] ?? 1);
        return DRAFTS[Math.min(round, DRAFTS.length) - 1]!;
      },
    },
    {
      match: 'You grade product descriptions',
      reply: (req) => {
        const msg = lastUserMessage(req);
        const i = DRAFTS.findIndex((d) => msg.includes(d));
        return { object: GRADES[i >= 0 ? i : 0] };
      },
    },
  ]);
}

export function productDescriptionRefiner(model: Model = refinementScript(), maxRounds = 4) {
  const writer = prompt<Request, string>({ name: 'writer', model, instructions: WRITER_PROMPT, input: renderWriterInput });
  const scorer = prompt<ScoreRequest<string, string>, Score>({
    name: 'scorer',
    model,
    instructions: SCORER_PROMPT,
    output: SCORE_SCHEMA,
    input: (r) => `Product brief: ${r.task}\n\nDescription to grade:\n${r.output}`,
  });
  return refine(writer, scorer, { threshold: THRESHOLD, maxRounds, name: 'product-description' });
}

export const example: VendExample = {
  name: 'iterative-refinement',
  pattern: 6,
  patternName: 'iterative refinement',
  summary: 'Refines a product description until the scorer gives it 8/10 or better; keeps the best draft.',
  inputHelp: 'a product to write a description for',
  defaultInput:
    'Vend Thermo Bottle, 750 ml: double-wall stainless steel, keeps drinks cold 24 h and hot 12 h, leak-proof lid, dishwasher-safe.',
  root: () => productDescriptionRefiner(),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const result = await run(productDescriptionRefiner(model), input, runOptions);
    const out = result.output;
    const scores = out.history.map((h) => h.score).join(' → ');
    const outcome =
      out.stopReason === 'threshold'
        ? `passed ${out.bestScore}/10 after ${out.history.length} round(s) (${scores})`
        : out.stopReason === 'budget'
          ? `budget hit; best ${out.bestScore}/10 from round ${out.bestRound} (${scores})`
          : `below ${THRESHOLD}/10 after ${out.history.length} rounds; best ${out.bestScore}/10 (${scores})`;
    return { outcome, answer: out.best, details: { history: out.history, stopReason: out.stopReason, threshold: out.threshold }, result };
  },
};
