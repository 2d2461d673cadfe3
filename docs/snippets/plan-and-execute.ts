import { z } from 'zod';
import { planAndExecute, prompt, run, tool, type Model, type SummaryInput } from 'agent-patterns';

declare const model: Model;
declare const infra: { queueDepth(q: string): Promise<number>; fleetSize(): number; resize(n: number): Promise<void> };

const checkQueueDepth = tool({
  name: 'check_queue_depth', description: 'Read the depth of a job queue. Read-only.',
  input: z.object({ queue: z.string() }),
  execute: async ({ queue }) => ({ queue, depth: await infra.queueDepth(queue) }),
});
const resizeFleet = tool({
  name: 'resize_fleet', description: 'Set the worker fleet size. At most double the current size, never above 50.',
  input: z.object({ target_size: z.number().int().min(1) }),
  irreversible: true,
  // Deterministic policy: the model cannot argue with it.
  guard: ({ target_size }) => ({ allow: target_size <= Math.min(infra.fleetSize() * 2, 50), reason: 'max 2x current, max 50' }),
  execute: async ({ target_size }) => infra.resize(target_size),
});

const resize = planAndExecute({ model }, [checkQueueDepth, resizeFleet], {
  // Plan approval hook: runs on the validated plan before any step.
  approvePlan: (plan) => (plan.steps.at(-1)?.tool === 'check_queue_depth' ? { approved: true } : { approved: false, reason: 'end with a verification' }),
  replan: true,
  summarizer: prompt<SummaryInput, string>({ name: 'summary', model, instructions: 'Summarize the execution results. Flag any steps that did not complete.' }),
});

export async function operate(goal: string) {
  const { output } = await run(resize, goal);
  return { status: output.status, summary: output.summary, failedStep: output.failedStep?.step_id };
}
