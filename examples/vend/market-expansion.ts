/**
 * Pattern 8 — hierarchical task decomposition. Strategy asks which three
 * countries Vend should expand into. A planner splits the question into
 * 3–5 workstreams, specialist workers research them in parallel (at most 3
 * at once), and a synthesizer writes the executive brief. A workstream too
 * broad for one pass (four questions) is decomposed once more; one level
 * down, workers must answer directly.
 */
import { type RunContext, type Model, type Step, runStep, run, decompose, DECOMPOSE_PLANNER_INSTRUCTIONS, type DecompositionRequest, type SynthesisInput, type WorkerInput, type Workstream, prompt } from 'agent-patterns';
import { lastUserMessage, scriptedByRules } from 'agent-patterns/testing';
import type { VendExample } from './types.js';

export const PLANNER_PROMPT = DECOMPOSE_PLANNER_INSTRUCTIONS;
export const WORKER_PROMPT =
  'You are a specialist research agent. Answer only the assigned workstream. List assumptions and evidence gaps separately. Be specific.';
export const SYNTHESIZER_PROMPT =
  'Synthesize specialist research reports into an executive brief. Highlight conflicts between workstreams, unsupported assumptions, and missing evidence.';

/** The reference's PLAN_SCHEMA (as JSON schema) — decompose() validates it with workstreamPlanSchema(), adding the 3–5 / 2–4 bounds. */
export const PLAN_SCHEMA = {
  type: 'object',
  properties: {
    workstreams: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, deliverable: { type: 'string' }, questions: { type: 'array', items: { type: 'string' } } },
        required: ['name', 'deliverable', 'questions'],
        additionalProperties: false,
      },
    },
  },
  required: ['workstreams'],
  additionalProperties: false,
} as const;

type Goal = string;
type Worker = Step<WorkerInput<Goal, string, string>, string>;

export function renderPlanRequest(r: DecompositionRequest<Goal>): string {
  return r.parent ? `${r.goal}\n\nParent workstream (split it into sub-workstreams): ${JSON.stringify(r.parent)}` : r.goal;
}

const ROOT_PLAN: Workstream[] = [
  { name: 'Market sizing', deliverable: 'Addressable e-commerce spend per candidate country', questions: ['What is online retail spend in each candidate?', 'How fast is it growing?'] },
  { name: 'Competitive analysis', deliverable: 'Incumbents and gaps per country', questions: ['Who are the top three marketplaces?', 'Where are sellers underserved?', 'What take rates do incumbents charge?'] },
  {
    name: 'Regulatory constraints',
    deliverable: 'Licensing, tax and consumer-law blockers per country',
    questions: ['Is a local entity required?', 'How is VAT collected on marketplace sales?', 'What are the return-window rules?', 'Are there data-residency requirements?'],
  },
  { name: 'Logistics feasibility', deliverable: 'Delivery cost and time from existing hubs', questions: ['Which carriers cover each country?', 'What is the cost per parcel from our EU hub?'] },
];

const SUB_PLAN: Workstream[] = [
  { name: 'Entity and licensing', deliverable: 'Whether a local entity or licence is needed', questions: ['Is a local entity required to sell?', 'Which licences apply to marketplaces?'] },
  { name: 'Tax collection', deliverable: 'VAT/GST obligations for a marketplace', questions: ['Is the marketplace the deemed supplier?', 'What are the registration thresholds?'] },
  { name: 'Consumer and data law', deliverable: 'Return-window and data-residency rules', questions: ['What return window is mandatory?', 'Must customer data stay in-country?'] },
];

const REPORTS: Record<string, string> = {
  'Market sizing':
    'Poland: ~€25bn online retail, +12%/yr. Spain: ~€40bn, +9%/yr. Mexico: ~$30bn, +20%/yr. Canada: ~$45bn, +7%/yr.\nAssumptions: 2024 industry estimates, FX at today\'s rates.\nEvidence gaps: no Vend-category split per country.',
  'Competitive analysis':
    'Poland: Allegro dominates (>50% share) but charges high take rates. Spain: Amazon leads; mid-market sellers underserved. Mexico: Mercado Libre strong; cross-border sellers poorly served. Canada: Amazon + Shopify stores.\nAssumptions: share figures are approximate.\nEvidence gaps: seller-side survey data.',
  'Logistics feasibility':
    'Poland and Spain: 2–3 day delivery from our EU hub at €4–6/parcel. Mexico: needs a local 3PL; 5–7 days cross-border. Canada: 4–6 days via US partners.\nAssumptions: current carrier contracts extend.\nEvidence gaps: returns cost per country.',
  'Entity and licensing': 'Spain and Poland: EU entity suffices. Mexico: local entity (or IOR partner) needed for importing. Canada: no licence, non-resident registration possible.\nEvidence gaps: Mexican IOR cost.',
  'Tax collection': 'EU: marketplace is deemed supplier under the OSS/IOSS rules; one registration covers Poland and Spain. Mexico: platforms must withhold VAT/ISR for sellers. Canada: GST/HST registration above CA$30k.\nAssumptions: current thresholds hold.',
  'Consumer and data law': 'EU: 14-day withdrawal right; GDPR allows EU hosting. Mexico: PROFECO rules, 5-day return norm. Canada: provincial rules vary; PIPEDA permits cross-border transfer with notice.\nEvidence gaps: Quebec-specific language rules.',
};

const REGULATORY_SYNTHESIS =
  'Regulatory summary: Poland and Spain are covered by our EU entity and one OSS registration; Mexico needs a local entity or importer of record and platform tax withholding; Canada needs GST registration only. Gap: Mexican importer-of-record cost.';

const EXECUTIVE_BRIEF = [
  'Executive brief — recommended expansion: Poland, Spain, Canada.',
  '• Poland and Spain reuse the EU entity, OSS tax registration and 2–3 day delivery from the EU hub; Poland has the faster growth, Spain the larger market with underserved mid-market sellers.',
  '• Canada: large, mature market with a simple GST registration; 4–6 day delivery via US partners.',
  '• Mexico has the highest growth (+20%/yr) but needs a local entity or importer of record, tax withholding and a local 3PL — revisit next year.',
  'Conflicts: market sizing favours Mexico, regulatory and logistics workstreams argue against it this year.',
  'Unsupported assumptions: carrier contracts extending to new countries; share figures are approximate.',
  'Missing evidence: Vend-category spend per country, returns cost, Mexican importer-of-record cost.',
].join('\n');

export function marketExpansionScript(): Model {
  return scriptedByRules([
    { match: 'Break a market expansion research goal', reply: (req) => ({ object: { workstreams: lastUserMessage(req).includes('Parent workstream') ? SUB_PLAN : ROOT_PLAN } }) },
    {
      match: 'You are a specialist research agent',
      reply: (req) => {
        const name = (JSON.parse(lastUserMessage(req)) as { name: string }).name;
        return REPORTS[name] ?? `Report for ${name}: no data.`;
      },
    },
    { match: 'Synthesize specialist research reports', reply: (req) => (lastUserMessage(req).includes('Entity and licensing') ? REGULATORY_SYNTHESIS : EXECUTIVE_BRIEF) },
  ]);
}

/** A worker: a workstream with four questions is too broad for one pass — split it while splitting is allowed. */
function researchWorker(model: Model): Worker {
  const specialist = prompt<Workstream, string>({
    name: 'specialist',
    model,
    instructions: WORKER_PROMPT,
    input: (ws) => JSON.stringify({ name: ws.name, deliverable: ws.deliverable, questions: ws.questions }),
  });
  return {
    name: 'worker',
    async run(input: WorkerInput<Goal, string, string>, ctx: RunContext): Promise<string> {
      if (input.decompose && input.workstream.questions.length >= 4) {
        const sub = await input.decompose(`${input.goal} — ${input.workstream.name}: ${input.workstream.deliverable}`, ctx);
        return sub.synthesis;
      }
      return runStep(ctx, specialist, input.workstream);
    },
  };
}

export function marketExpansionResearch(model: Model = marketExpansionScript(), options: { concurrency?: number; maxDepth?: number } = {}) {
  const synthesizer = prompt<SynthesisInput<Goal, string>, string>({
    name: 'synthesizer',
    model,
    instructions: SYNTHESIZER_PROMPT,
    input: (s) =>
      `Goal: ${s.goal}\n\nWorkstream reports:\n` +
      s.reports.map((r, i) => `--- Workstream ${i + 1}: ${r.workstream.name} ---\n${r.output}`).join('\n\n'),
  });
  return decompose<Goal, string, string>(
    { model, instructions: PLANNER_PROMPT, input: renderPlanRequest },
    researchWorker(model),
    synthesizer,
    { concurrency: options.concurrency ?? 3, maxDepth: options.maxDepth ?? 1, name: 'market-expansion' },
  );
}

export const example: VendExample = {
  name: 'market-expansion',
  pattern: 8,
  patternName: 'hierarchical decomposition',
  summary: 'Splits "which three countries next?" into workstreams, researches them in parallel, writes an executive brief.',
  inputHelp: 'a strategy question in plain words',
  defaultInput: 'Which three countries should Vend expand into next year? Candidates: Poland, Spain, Mexico, Canada.',
  root: () => marketExpansionResearch(),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const result = await run(marketExpansionResearch(model), input, runOptions);
    const out = result.output;
    const splitNames = result.trace.filter((s) => s.kind === 'step' && s.name.startsWith('market-expansion:depth-')).map((s) => s.attributes.parent);
    return {
      outcome: `brief from ${out.plan.workstreams.length} workstreams${splitNames.length ? `, ${splitNames.length} split` : ''}`,
      answer: out.synthesis,
      details: { plan: out.plan, splitDeeper: splitNames, reports: out.reports.map((r) => ({ workstream: r.workstream.name, report: r.output })) },
      result,
    };
  },
};
