import { z } from 'zod';
import { critique, prompt, run, type DraftRequest, type JudgeRequest, type Model } from 'agent-patterns';

declare const model: Model;

const Critique = z.object({ approved: z.boolean(), issues: z.array(z.string()), required_change: z.string() });
type Critique = z.infer<typeof Critique>;

const writer = prompt<DraftRequest<string, string, Critique>, string>({
  name: 'reply-writer', model,
  instructions: 'You are a Vend customer support agent. Write a short, warm reply. When given a critique, make the required change.',
  input: (r) => (r.previous ? `${r.input}\n\nDraft:\n${r.previous.draft}\n\nRequired change: ${r.previous.critique.required_change}` : r.input),
});
const judge = prompt<JudgeRequest<string, string>, Critique>({
  name: 'reply-judge', model, output: Critique,
  instructions: 'You are a support quality reviewer. Approve only if the reply states a concrete next step with a timeline.',
  input: (r) => `Customer:\n${r.input}\n\nDraft reply:\n${r.draft}`,
});

// The verdict is validated against `Critique` (an invalid one is fed back once, then OutputValidationError);
// `accept` is code, not prose parsing.
const reviewed = critique(writer, judge, { verdict: Critique, accept: (v) => v.approved, maxRevisions: 1 });

export async function supportReply(message: string): Promise<string> {
  return (await run(reviewed, message)).output.output;
}
