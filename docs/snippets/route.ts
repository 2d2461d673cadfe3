import { prompt, route, run, step, type Model } from 'agent-patterns';

declare const model: Model;

const specialist = (name: string, instructions: string) => prompt<string, string>({ name, model, instructions });
const specialists = {
  billing: specialist('billing', 'You handle billing support. Request invoice IDs when needed. Never quote prices from memory.'),
  shipping: specialist('shipping', 'You handle delivery and tracking questions. Escalate customs issues to a human agent.'),
  fraud: specialist('fraud', 'You handle suspected fraud reports. Collect evidence carefully. Never accuse the customer.'),
};
const humanLead = step<string, string>('human-lead', () => 'A support lead will pick this up.');

// The router's answer is constrained to enum ["billing", "shipping", "fraud"];
// an invalid or unsure (< 0.6) decision goes to the human lead.
const coordinator = route(
  { model, instructions: 'Route this support request to exactly one specialist based on the primary issue.' },
  specialists,
  { fallback: humanLead, minConfidence: 0.6 },
);

export async function answer(message: string) {
  const { output } = await run(coordinator, message);
  return { reply: output.output, routedTo: output.decision.specialist, why: output.decision.reason };
}
