import { z } from 'zod';
import { loop, prompt, run, runStep, step, type LoopRound, type Model } from 'agent-patterns';

declare const model: Model;

const Verdict = z.object({ passes: z.boolean(), reason: z.string(), remaining_issues: z.array(z.string()) });
type Round = { plan: string; verdict: z.infer<typeof Verdict> };

const planner = prompt<string, string>({ name: 'propose-plan', model, instructions: 'Propose a safe pandas cleaning plan. Prefer reversible transformations.' });
const judge = prompt<string, z.infer<typeof Verdict>>({
  name: 'judge', model, output: Verdict,
  instructions: 'Judge whether the cleaning plan addresses the data profile without unsafe assumptions.',
});

// The body sees the previous round's output, so the reviewer's feedback informs the next plan.
const round = step('cleaning-round', async (r: LoopRound<string, Round>, ctx): Promise<Round> => {
  const feedback = r.previous ? `\n\nReviewer feedback (round ${r.round - 1}):\n${JSON.stringify(r.previous.verdict)}` : '';
  const plan = await runStep(ctx, planner, `Profile:\n${r.input}${feedback}`);
  return { plan, verdict: await runStep(ctx, judge, `Profile:\n${r.input}\n\nPlan:\n${plan}`) };
});

// `until` (a pure function of the round's output) and `maxRounds` are both required.
const repair = loop(round, { until: (o) => o.verdict.passes, maxRounds: 3 });

export async function cleaningPlan(profile: string) {
  const { output } = await run(repair, profile);
  return { plan: output.output.plan, passed: output.passed, rounds: output.rounds };
}
