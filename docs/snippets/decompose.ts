import { decompose, prompt, run, type Model, type SynthesisInput, type WorkerInput } from 'agent-patterns';

declare const model: Model;

const worker = prompt<WorkerInput<string, string, string>, string>({
  name: 'researcher', model,
  instructions: 'You are a specialist research agent. Answer only the assigned workstream. List assumptions and evidence gaps separately.',
  input: (w) => JSON.stringify(w.workstream),
});
const synthesizer = prompt<SynthesisInput<string, string>, string>({
  name: 'synthesizer', model,
  instructions: 'Synthesize the reports into an executive brief. Highlight conflicts, unsupported assumptions and missing evidence.',
  input: (s) => `Goal: ${s.goal}\n\n${s.reports.map((r) => `--- ${r.workstream.name} ---\n${r.output}`).join('\n\n')}`,
});

// The planner gets the plan schema (3-5 workstreams, 2-4 questions each) as structured output;
// the plan is validated before any worker runs, and at most 3 workers run at once.
const research = decompose({ model }, worker, synthesizer, { concurrency: 3, maxDepth: 0 });

export async function brief(goal: string) {
  const { output } = await run(research, goal);
  return { workstreams: output.plan.workstreams.map((w) => w.name), brief: output.synthesis };
}
