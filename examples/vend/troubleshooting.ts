/**
 * Pattern 10 — ReAct. DevOps's troubleshooting assistant: search the docs,
 * check service health, correlate, and only then suggest a fix. The action
 * trace is the product: it shows what the answer rests on.
 */
import { z } from 'zod';
import { Agent, tool, run, type Model } from 'agent-patterns';
import { lastUserMessage, scripted, toolResults } from 'agent-patterns/testing';
import { SERVICE_STATUS, searchDocs } from './data/docs-index.js';
import type { VendExample } from './types.js';

export const SYSTEM_PROMPT =
  'You are a troubleshooting agent. Use tools to gather evidence. ' +
  'Return the likely cause, your confidence level, and the next safe action. ' +
  'Do not speculate beyond what the tools returned.';

export function troubleshootingTools() {
  return [
    tool({
      name: 'search_docs',
      description: 'Search internal troubleshooting documentation by keyword. Returns up to 3 matching entries with id, title and body.',
      input: z.object({ query: z.string().min(2) }),
      execute: ({ query }) => ({ matches: searchDocs(query).map(({ id, title, body }) => ({ id, title, body })) }),
    }),
    tool({
      name: 'get_service_status',
      description: 'Get current operational status and recent incidents for a service (e.g. queue-processor, checkout, search, payments).',
      input: z.object({ service: z.string().min(1) }),
      execute: ({ service }) => {
        const s = SERVICE_STATUS.get(service);
        if (!s) throw new Error(`unknown service "${service}"; known: ${[...SERVICE_STATUS.keys()].join(', ')}`);
        return { service, ...s };
      },
    }),
  ] as const;
}

const SERVICES = ['queue-processor', 'checkout', 'search', 'payments'];

/** Scripted investigator: status of the named service, then the docs, then a conclusion citing both. */
export function troubleshootingScript(): Model {
  return scripted((req) => {
    const problem = lastUserMessage(req);
    const results = toolResults(req);
    const lower = problem.toLowerCase();
    const service = SERVICES.find((s) => lower.includes(s.split('-')[0]!)) ?? 'queue-processor';
    if (results.length === 0) return { toolCalls: [{ name: 'get_service_status', args: { service } }] };
    if (results.length === 1) return { toolCalls: [{ name: 'search_docs', args: { query: problem } }] };
    const status = results[0]!.isError ? undefined : (JSON.parse(results[0]!.content) as { status: string; since: string; incidents: string[] });
    const docs = JSON.parse(results[1]!.content) as { matches: { id: string; title: string }[] };
    const top = docs.matches[0];
    if (!top) return 'Likely cause: unknown — the docs have no match and I will not speculate. Confidence: low. Next safe action: page the service owner with the status above.';
    const confidence = status && status.status !== 'operational' ? 'medium' : 'low';
    const evidence = status ? `${service} is ${status.status} since ${status.since}${status.incidents.length ? ` (${status.incidents[0]})` : ''}` : `status of ${service} unavailable`;
    return `Likely cause: ${top.title} (${top.id}). Evidence: ${evidence}; docs match ${docs.matches.map((m) => m.id).join(', ')}. Confidence: ${confidence}. Next safe action: ${top.title.toLowerCase()}, then watch consumer lag.`;
  });
}

export function troubleshootingAgent(model: Model = troubleshootingScript()) {
  return new Agent({ name: 'troubleshooting', instructions: SYSTEM_PROMPT, model, tools: troubleshootingTools(), maxTurns: 5 });
}

export const example: VendExample = {
  name: 'troubleshooting',
  pattern: 10,
  patternName: 'ReAct',
  summary: 'Investigates "the queue processor seems stuck" with search_docs and get_service_status; the action trace is the output.',
  inputHelp: 'a description of the problem',
  defaultInput: 'The queue processor seems stuck: messages are not being processed.',
  root: () => troubleshootingAgent(),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const result = await run(troubleshootingAgent(model), input, runOptions);
    const out = result.output;
    return {
      outcome: `answered after ${out.actions.length} actions`,
      answer: out.text,
      actions: out.actions,
      result,
    };
  },
};
