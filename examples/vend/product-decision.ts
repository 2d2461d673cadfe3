/**
 * Pattern 9 — swarm. Should Vend launch a subscription tier? Research,
 * engineering, finance and support debate on one shared transcript for up to
 * three rounds (each contribution ends with a stance line; the debate stops
 * early when all four agree), then a neutral facilitator — who sees only the
 * transcript — writes the recommendation.
 */
import { type Model, run, prompt, sameStance, stanceOf, swarm, type SwarmTurn } from 'agent-patterns';
import { lastUserMessage, scriptedByRules } from 'agent-patterns/testing';
import type { VendExample } from './types.js';

export const ROLES = {
  research: 'You represent user research. Cite evidence, customer segments, and unmet needs. Challenge unsupported claims.',
  engineering: 'You represent engineering. Assess feasibility, complexity, risks, and maintenance burden.',
  finance: 'You represent finance. Evaluate pricing, margin, cost, and opportunity cost.',
  support: 'You represent customer support. Assess operational burden, edge cases, and customer confusion risks.',
} as const;

export type Role = keyof typeof ROLES;

export const TURN_SUFFIX =
  ' Respond to the current transcript. Add new evidence or challenge a specific weak claim. Be concise and specific.' +
  ' End with one line: "STANCE: launch", "STANCE: pilot" or "STANCE: reject".';

export const FACILITATOR_PROMPT =
  'You are a neutral decision facilitator. Review the full debate. ' +
  'Summarize the strongest arguments, identify unresolved risks, and state a final recommendation. ' +
  'Do not add new claims — only synthesize what is already in the transcript.';

export const MAX_ROUNDS = 3;

const CONTRIBUTIONS: Record<Role, string[]> = {
  research: [
    '38% of surveyed repeat buyers (n=1,200) said they would pay for free shipping plus early access; demand is strongest among households ordering 3+ times a month.\nSTANCE: launch',
    'Engineering\'s six-month estimate assumes all segments at once. The heavy-buyer segment alone is ~9% of customers and could be served by a pilot.\nSTANCE: pilot',
  ],
  engineering: [
    'Recurring billing, proration and dunning do not exist today; building them properly is about six months, and billing bugs are costly to unwind.\nSTANCE: reject',
    'A pilot on our payment provider\'s hosted subscriptions avoids building proration and dunning ourselves: six weeks, reversible.\nSTANCE: pilot',
  ],
  finance: [
    'At €6.99/month, free shipping costs us ~€4.10 per subscriber-month for heavy buyers; margin is positive only above 3 orders a month. Research\'s 38% is stated intent, not conversion.\nSTANCE: reject',
    'A pilot limited to heavy buyers keeps the shipping subsidy inside margin and gives real conversion data within a quarter.\nSTANCE: pilot',
  ],
  support: [
    'Subscriptions historically add cancellation and "why was I charged" tickets; we would need a self-serve cancel flow on day one.\nSTANCE: reject',
    'A pilot with a self-serve cancel flow and an FAQ keeps ticket volume measurable; we can staff it.\nSTANCE: pilot',
  ],
};

const RECOMMENDATION = [
  'Recommendation: run a limited subscription pilot for heavy buyers (3+ orders/month) — all four perspectives converged on this in round 2.',
  'Strongest arguments: research found demand concentrated in repeat buyers; finance showed margin is positive only above 3 orders a month; engineering can use the payment provider\'s hosted subscriptions (six weeks, reversible) instead of a six-month build.',
  'Unresolved risks: stated intent (38%) may not convert; cancellation and "why was I charged" tickets; a full launch would still need proration and dunning.',
  'Decision gate: measure conversion, margin per subscriber and ticket volume over one quarter before a full launch.',
].join('\n');

export function swarmScript(): Model {
  return scriptedByRules([
    { match: 'You are a neutral decision facilitator', reply: RECOMMENDATION },
    ...(Object.keys(ROLES) as Role[]).map((role) => ({
      match: ROLES[role],
      reply: (req: Parameters<typeof lastUserMessage>[0]) => {
        const round = Number(/Your turn: \w+, round (\d+)/.exec(lastUserMessage(req))?.[1] ?? 1);
        const lines = CONTRIBUTIONS[role];
        return lines[Math.min(round, lines.length) - 1]!;
      },
    })),
  ]);
}

export function renderTurn(t: SwarmTurn): string {
  return `${t.transcript}\n(Your turn: ${t.role}, round ${t.round}.)`;
}

export function productDecisionSwarm(model: Model = swarmScript(), rounds = MAX_ROUNDS) {
  const roles = Object.fromEntries(
    (Object.keys(ROLES) as Role[]).map((role) => [role, prompt<SwarmTurn, string>({ name: role, model, instructions: ROLES[role] + TURN_SUFFIX, input: renderTurn })]),
  );
  const facilitator = prompt<string, string>({ name: 'facilitator', model, instructions: FACILITATOR_PROMPT });
  return swarm(roles, facilitator, { rounds, consensus: sameStance, name: 'product-decision' });
}

export const example: VendExample = {
  name: 'product-decision',
  pattern: 9,
  patternName: 'swarm',
  summary: 'Research, engineering, finance and support debate a subscription tier; a neutral facilitator recommends.',
  inputHelp: 'a product question for the panel',
  defaultInput: 'Should Vend launch a paid subscription tier (free shipping and early access) next quarter?',
  root: () => productDecisionSwarm(),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const result = await run(productDecisionSwarm(model), input, runOptions);
    const out = result.output;
    const last = out.entries.filter((e) => e.round === out.roundsRun).map((e) => stanceOf(e.text) ?? '?');
    const outcome =
      out.stopReason === 'consensus'
        ? `consensus "${last[0]}" after ${out.roundsRun} of ${MAX_ROUNDS} rounds`
        : `${out.roundsRun} rounds, stances: ${out.entries.filter((e) => e.round === out.roundsRun).map((e) => `${e.role}=${stanceOf(e.text) ?? '?'}`).join(', ')}`;
    return { outcome, answer: out.recommendation, details: { transcript: out.transcript, stopReason: out.stopReason, roundsRun: out.roundsRun }, result };
  },
};
