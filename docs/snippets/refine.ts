import { z } from 'zod';
import { prompt, refine, run, type Model, type RefineRequest, type Score, type ScoreRequest } from 'agent-patterns';

declare const model: Model;

const writer = prompt<RefineRequest<string, string>, string>({
  name: 'writer', model,
  instructions: 'Write a product description from the brief. When feedback is given, revise the previous draft.',
  input: (r) => (r.previous ? `${r.task}\n\nPrevious draft:\n${r.previous.output}\n\nFeedback:\n${r.previous.feedback}` : r.task),
});
const scorer = prompt<ScoreRequest<string, string>, Score>({
  name: 'scorer', model, output: z.object({ score: z.number().min(0).max(10), feedback: z.string() }),
  instructions: 'Grade the description 0-10 against the brief and say what would raise the score.',
  input: (r) => `Brief: ${r.task}\n\nDescription:\n${r.output}`,
});

// Stops at the first draft scoring >= 8, after 4 rounds, or when the budget runs out (best draft kept).
const refiner = refine(writer, scorer, { threshold: 8, maxRounds: 4 });

export async function productDescription(brief: string) {
  const { output } = await run(refiner, brief, { budget: { maxModelTurns: 8 } });
  return { text: output.best, score: output.bestScore, scores: output.history.map((h) => h.score), stopReason: output.stopReason };
}
