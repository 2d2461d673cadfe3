/**
 * Pattern 3 — parallel. Midnight alert: checkout is failing. Logs, metrics
 * and recent deployments are independent evidence, so three specialists
 * inspect them at the same time; the incident commander synthesizes. A
 * specialist that fails or times out does not block the others: the
 * commander is told which evidence is missing ('continue' policy).
 */
import { type Model, step, run, describeBranches, parallel, type BranchResult, type Gathered, prompt } from 'agent-patterns';
import { lastUserMessage, scriptedByRules } from 'agent-patterns/testing';
import type { VendExample } from './types.js';

// The reference's prompts.
export const LOG_PROMPT = 'You inspect application logs. Identify error patterns with timestamps and request IDs.';
export const METRIC_PROMPT = 'You inspect metrics. Identify saturation, latency spikes, and traffic anomalies.';
export const DEPLOY_PROMPT = 'You inspect recent releases. Flag risky changes that align with the reported symptoms.';
export const COMMANDER_PROMPT =
  'You are the incident commander. Synthesize evidence from three specialist views. State confidence level and the single safest next action.';

export interface IncidentReport {
  log_analysis: string | null;
  metric_analysis: string | null;
  deployment_analysis: string | null;
  synthesis: string;
  /** Specialists whose view is missing (failed or timed out). */
  missing: string[];
}

const LABELS = { logs: 'Logs', metrics: 'Metrics', deployments: 'Deployments' };

/** Scripted specialists for Vend's checkout incident, and a commander that weighs what it actually received. */
export function incidentScript(): Model {
  return scriptedByRules(
    [
      {
        match: 'inspect application logs',
        reply:
          'Error pattern: PaymentClientTimeout in checkout-api, first at 00:12:04Z, 1,840 occurrences in 15 min ' +
          '(e.g. request IDs req-8f21c, req-8f3a9, req-90b17). All on POST /api/checkout → payments-gateway; no errors on other routes.',
      },
      {
        match: 'You inspect metrics',
        reply:
          'payments-gateway p99 latency 4.8 s from 00:11Z (baseline 350 ms); its outbound connection pool at 100% (10/10) since 00:11Z. ' +
          'checkout 5xx rate 18%. Traffic is normal for the hour (no spike), so this is saturation, not load.',
      },
      {
        match: 'inspect recent releases',
        reply:
          'payments-gateway v2.14.0 deployed 00:09Z: HTTP client pool size 50 → 10 and timeout 10 s → 2 s. ' +
          'Risky and aligned with the symptoms (timeouts starting 3 min after the release). No other deploys in the last 6 h.',
      },
      {
        match: 'incident commander',
        reply: (req) => {
          const msg = lastUserMessage(req);
          const missing = Object.values(LABELS).filter((l) => new RegExp(`${l}:\\nUNAVAILABLE`).test(msg));
          const deployKnown = !missing.includes('Deployments');
          const hypothesis = deployKnown
            ? 'Root-cause hypothesis: the payments-gateway v2.14.0 release (00:09Z) shrank the connection pool to 10 and cut the timeout to 2 s; the pool saturates and checkout calls time out.'
            : 'Root-cause hypothesis: payments-gateway connection-pool saturation is causing checkout timeouts; the trigger is unknown because the deployment view is missing.';
          const confidence = missing.length === 0 ? 'high — logs, metrics and the release diff agree' : `medium — missing evidence from: ${missing.join(', ')}`;
          const action = deployKnown
            ? 'Single safest next action: roll back payments-gateway to v2.13.x (reversible), then watch checkout 5xx and pool utilization for 10 minutes.'
            : 'Single safest next action: check the payments-gateway release history before changing anything; raise the pool size only if no release explains it.';
          return `${hypothesis}\nConfidence: ${confidence}.\n${action}`;
        },
      },
    ],
    // Streamed (`run incident-triage --stream`), a word every 15 ms, as from a live provider: the three views overlap.
    { delayMs: 25, chunkDelayMs: 15 },
  );
}

export function incidentTriage(model: Model = incidentScript(), options: { timeoutMs?: number } = {}) {
  const specialists = parallel(
    {
      logs: prompt<string, string>({ name: 'log-specialist', model, instructions: LOG_PROMPT }),
      metrics: prompt<string, string>({ name: 'metrics-specialist', model, instructions: METRIC_PROMPT }),
      deployments: prompt<string, string>({ name: 'deployment-specialist', model, instructions: DEPLOY_PROMPT }),
    },
    // During an incident partial evidence beats none: a failed specialist is reported, not fatal.
    { name: 'specialists', onError: 'continue', timeoutMs: options.timeoutMs ?? 60_000 },
  );
  const commander = prompt<string, string>({ name: 'incident-commander', model, instructions: COMMANDER_PROMPT });
  type Views = { logs: BranchResult<string>; metrics: BranchResult<string>; deployments: BranchResult<string> };
  const synthesize = step('synthesis', async (g: Gathered<string, Views>, ctx): Promise<IncidentReport> => {
    const b = g.branches;
    const value = (r: BranchResult<string>) => (r.ok ? r.value : null);
    return {
      log_analysis: value(b.logs),
      metric_analysis: value(b.metrics),
      deployment_analysis: value(b.deployments),
      synthesis: await commander.run(`Incident: ${g.input}\n\n${describeBranches(b, LABELS)}`, ctx),
      missing: Object.entries(b).filter(([, r]) => !r.ok).map(([k]) => k),
    };
  });
  return specialists.synthesize(synthesize, 'incident-triage');
}

export const example: VendExample = {
  name: 'incident-triage',
  pattern: 3,
  patternName: 'parallel',
  summary: 'Logs, metrics and deployment specialists investigate a checkout outage at once; the incident commander synthesizes.',
  inputHelp: 'an incident report in plain words',
  defaultInput: 'Checkout is failing: POST /api/checkout returns 502 for ~18% of requests since 00:12 UTC.',
  root: () => incidentTriage(),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const result = await run(incidentTriage(model), input, runOptions);
    const report: IncidentReport = result.output;
    const got = 3 - report.missing.length;
    return {
      outcome: `synthesized from ${got}/3 specialists${report.missing.length ? ` (missing: ${report.missing.join(', ')})` : ''}`,
      answer: report.synthesis,
      details: report,
      result,
    };
  },
};
