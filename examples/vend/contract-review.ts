/**
 * Pattern 2 — sequential. Vend's legal operations review vendor contracts the
 * same way every time: extract obligations → assess risks → draft a review
 * packet for the procurement manager. Each stage has a narrow prompt and a
 * typed contract with the next; the packet stage sees everything before it.
 */
import { type Model, step, run, prompt, assign, sequence } from 'agent-patterns';
import { lastUserMessage, scriptedByRules } from 'agent-patterns/testing';
import type { VendExample } from './types.js';

// The reference's prompts, one responsibility each.
export const EXTRACT_PROMPT =
  'Extract concrete obligations from vendor contracts. Return only obligations with dates, parties, or deliverables.';
export const RISK_PROMPT =
  'You are a contract risk reviewer. Identify operational, financial, and compliance risks. Do not provide legal advice.';
export const PACKET_PROMPT =
  'Prepare a concise contract review packet for a procurement manager. Include obligations, risks, and questions for counsel.';

/** Stage contracts: each stage adds one field. */
export interface ContractIntake {
  contract: string;
}
export interface WithObligations extends ContractIntake {
  obligations: string;
}
export interface WithRisks extends WithObligations {
  risks: string;
}
export interface ContractAnalysis extends WithRisks {
  review_packet: string;
}

export const SAMPLE_CONTRACT = [
  'Master Services Agreement between Vend Inc. ("Client") and ParcelPoint Logistics Ltd. ("Vendor"), effective 1 March 2026.',
  'Vendor shall deliver 98% of parcels within 2 business days of pickup, measured monthly.',
  'Client shall pay each invoice within 30 days; late payments accrue 1.5% interest per month.',
  'Vendor will provide a monthly performance report by the 5th business day of each month.',
  'Vendor shall process customer addresses only to perform deliveries and shall notify Client of any data breach within 72 hours.',
  "Vendor's total liability is limited to the fees paid in the preceding 3 months.",
  'Client shall route at least 80% of its domestic parcel volume to Vendor during the term.',
  'This agreement automatically renews for successive 12-month terms unless either party gives 90 days written notice.',
].join('\n');

/** Scripted stand-ins for the three stages: they read the text they are given, so other contracts work too. */
export function contractScript(): Model {
  const RISKS: [RegExp, string][] = [
    [/automatically renews?/i, 'Financial: auto-renewal for 12-month terms unless 90 days notice is given — a missed calendar date locks Vend in for another year.'],
    [/liability is limited|limitation of liability/i, "Financial: the vendor's liability cap (3 months of fees) is low relative to the value of lost or damaged parcels."],
    [/at least \d+% of/i, 'Operational: a minimum-volume commitment (80% of domestic parcels) limits carrier diversification during outages.'],
    [/data breach|personal data|addresses/i, 'Compliance: the vendor processes customer addresses; confirm a data processing agreement and the 72-hour breach notice are adequate.'],
    [/interest/i, 'Financial: late-payment interest of 1.5% per month (~18% a year) on any delayed invoice.'],
    [/\d+% of parcels within/i, 'Operational: the delivery SLA has no stated remedy (no service credits) if the vendor misses it.'],
  ];
  return scriptedByRules([
    {
      match: 'Extract concrete obligations',
      reply: (req) => {
        const lines = lastUserMessage(req).split(/\n|(?<=\.)\s+/).filter((l) => /\b(shall|will|must|renews?|notice|limited)\b/i.test(l));
        return lines.length ? lines.map((l) => `- ${l.trim()}`).join('\n') : '- No dated obligations found.';
      },
    },
    {
      match: 'contract risk reviewer',
      reply: (req) => {
        const text = lastUserMessage(req);
        const found = RISKS.filter(([re]) => re.test(text)).map(([, risk]) => `- ${risk}`);
        return found.length ? found.join('\n') : '- No material risks identified in the extracted obligations.';
      },
    },
    {
      match: 'contract review packet',
      reply: (req) => {
        const msg = lastUserMessage(req);
        const section = (name: string) => (new RegExp(`${name}:\\n([\\s\\S]*?)(?:\\n\\n[A-Z][a-z]+:|$)`).exec(msg)?.[1] ?? '').trim();
        const parties = /between (.+?) \("Client"\) and (.+?) \("Vendor"\)/.exec(section('Contract'));
        const risks = section('Risks');
        const questions = [
          /auto-renewal/.test(risks) && '- Can the auto-renewal be replaced by an explicit renewal decision, or the notice period shortened to 30 days?',
          /liability cap/.test(risks) && '- Is a 3-month liability cap acceptable for lost parcels, or should it exclude loss of goods?',
          /minimum-volume/.test(risks) && '- Is the 80% volume commitment enforceable if the SLA is repeatedly missed?',
          /data processing/.test(risks) && '- Is a separate data processing agreement required for customer addresses?',
        ].filter(Boolean);
        return [
          `CONTRACT REVIEW PACKET${parties ? ` — ${parties[2]} (vendor) for ${parties[1]}` : ''}`,
          '',
          'Key obligations:',
          section('Obligations') || '- none extracted',
          '',
          'Risks:',
          risks || '- none identified',
          '',
          'Questions for counsel:',
          questions.length ? questions.join('\n') : '- None beyond standard review.',
          '',
          'Recommendation: do not sign until counsel has answered the questions above.',
        ].join('\n');
      },
    },
  ]);
}

/** The pipeline: intake → obligations → risks → packet. Output type checked stage by stage. */
export function contractReviewPipeline(model: Model = contractScript()) {
  const extractObligations = prompt<ContractIntake, string>({
    name: 'extract-obligations', model, instructions: EXTRACT_PROMPT, input: (s) => s.contract,
  });
  const assessRisks = prompt<WithObligations, string>({
    name: 'assess-risks', model, instructions: RISK_PROMPT, input: (s) => s.obligations,
  });
  const draftPacket = prompt<WithRisks, string>({
    name: 'draft-review-packet', model, instructions: PACKET_PROMPT,
    input: (s) => `Contract:\n${s.contract}\n\nObligations:\n${s.obligations}\n\nRisks:\n${s.risks}`,
  });
  return sequence(
    step('intake', (contract: string): ContractIntake => ({ contract: contract.trim() })),
    assign('obligations', extractObligations),
    assign('risks', assessRisks),
    assign('review_packet', draftPacket),
  ).named('contract-review');
}

export const example: VendExample = {
  name: 'contract-review',
  pattern: 2,
  patternName: 'sequential',
  summary: 'Legal ops pipeline for vendor contracts: extract obligations → assess risks → draft a review packet.',
  inputHelp: 'the text of a vendor contract',
  defaultInput: SAMPLE_CONTRACT,
  root: () => contractReviewPipeline(),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const result = await run(contractReviewPipeline(model), input, runOptions);
    const out: ContractAnalysis = result.output;
    const risks = out.risks.split('\n').filter((l) => l.trim().startsWith('-')).length;
    return {
      outcome: `packet drafted (3 stages, ${risks} risk${risks === 1 ? '' : 's'})`,
      answer: out.review_packet,
      details: { obligations: out.obligations, risks: out.risks },
      result,
    };
  },
};
