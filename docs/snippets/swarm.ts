import { prompt, run, sameStance, swarm, type Model, type SwarmTurn } from 'agent-patterns';

declare const model: Model;

const role = (name: string, perspective: string) =>
  prompt<SwarmTurn, string>({
    name, model, input: (t) => t.transcript,
    instructions: `${perspective} Respond to the current transcript. Add new evidence or challenge a specific weak claim. ` +
      'End with one line: "STANCE: launch", "STANCE: pilot" or "STANCE: reject".',
  });

const roles = {
  research: role('research', 'You represent user research. Cite evidence, customer segments, and unmet needs.'),
  engineering: role('engineering', 'You represent engineering. Assess feasibility, complexity, risks, and maintenance burden.'),
  finance: role('finance', 'You represent finance. Evaluate pricing, margin, cost, and opportunity cost.'),
};
// The facilitator's input is the transcript and nothing else.
const facilitator = prompt<string, string>({
  name: 'facilitator', model,
  instructions: 'You are a neutral decision facilitator. Summarize the strongest arguments, unresolved risks, and a final recommendation. Do not add new claims.',
});

// Up to 3 rounds, round-robin; stops early when every role ends a round with the same stance.
const debate = swarm(roles, facilitator, { rounds: 3, consensus: sameStance });

export async function decide(question: string) {
  const { output } = await run(debate, question);
  return { recommendation: output.recommendation, rounds: output.roundsRun, stoppedEarly: output.stopReason === 'consensus' };
}
