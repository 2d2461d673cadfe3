import { assign, prompt, run, sequence, step, type Model } from 'agent-patterns';

declare const model: Model;

type Intake = { contract: string };
type WithObligations = Intake & { obligations: string };
type WithRisks = WithObligations & { risks: string };

const extract = prompt<Intake, string>({
  name: 'extract-obligations', model, input: (s) => s.contract,
  instructions: 'Extract concrete obligations from vendor contracts. Return only obligations with dates, parties, or deliverables.',
});
const assess = prompt<WithObligations, string>({
  name: 'assess-risks', model, input: (s) => s.obligations,
  instructions: 'You are a contract risk reviewer. Identify operational, financial, and compliance risks. Do not provide legal advice.',
});
const draft = prompt<WithRisks, string>({
  name: 'draft-review-packet', model,
  input: (s) => `Contract:\n${s.contract}\n\nObligations:\n${s.obligations}\n\nRisks:\n${s.risks}`,
  instructions: 'Prepare a concise contract review packet for a procurement manager. Include obligations, risks, and questions for counsel.',
});

// Step<string, WithRisks & { packet: string }>: each hand-over is type-checked
// (swap `assess` and `extract` and it does not compile).
const review = sequence(
  step('intake', (contract: string): Intake => ({ contract })),
  assign('obligations', extract),
  assign('risks', assess),
  assign('packet', draft),
).named('contract-review');

export async function reviewContract(text: string): Promise<string> {
  const { output } = await run(review, text, { budget: { maxModelTurns: 5 } });
  return output.packet; // a failed stage throws StepFailed with `.step` = its name
}
