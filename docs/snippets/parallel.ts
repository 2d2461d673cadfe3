import { describeBranches, parallel, prompt, run, type Model } from 'agent-patterns';

declare const model: Model;

const specialist = (name: string, instructions: string) => prompt<string, string>({ name, model, instructions });

const triage = parallel(
  {
    logs: specialist('logs', 'You inspect application logs. Identify error patterns with timestamps and request IDs.'),
    metrics: specialist('metrics', 'You inspect metrics. Identify saturation, latency spikes, and traffic anomalies.'),
    deployments: specialist('deployments', 'You inspect recent releases. Flag risky changes that align with the reported symptoms.'),
  },
  // 'continue': a failed or timed-out branch becomes { ok: false, error } instead of failing the step.
  { onError: 'continue', timeoutMs: 30_000 },
).synthesize(
  prompt({
    name: 'incident-commander', model,
    instructions: 'You are the incident commander. Synthesize evidence from three specialist views. State confidence level and the single safest next action.',
    // A failed specialist is stated as UNAVAILABLE, so the commander knows what evidence is missing.
    input: (g) => `Incident: ${g.input}\n\n${describeBranches(g.branches)}`,
  }),
);

export async function triageIncident(incident: string): Promise<string> {
  return (await run(triage, incident)).output;
}
