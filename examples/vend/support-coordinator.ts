/**
 * Pattern 7 — coordinator. Vend support has five departments; a router
 * sends each message to exactly one specialist (an enum of their names),
 * and a message it cannot route with confidence goes to a human support lead.
 */
import { type Model, step, run, prompt, route } from 'agent-patterns';
import { lastUserMessage, scriptedByRules } from 'agent-patterns/testing';
import type { VendExample } from './types.js';

export const ROUTER_PROMPT = 'Route this support request to exactly one specialist based on the primary issue.';

export const SPECIALISTS = {
  billing: 'You handle billing support. Request invoice IDs when needed. Never quote prices from memory.',
  technical: 'You handle technical troubleshooting. Ask for logs and environment details when needed.',
  account: 'You handle account access issues. Never request passwords or raw secrets.',
  shipping: 'You handle delivery and tracking questions. Escalate customs issues to a human agent.',
  fraud: 'You handle suspected fraud reports. Collect evidence carefully. Never accuse the customer.',
} as const;

export type Department = keyof typeof SPECIALISTS;

export const DESCRIPTIONS: Record<Department, string> = {
  billing: 'charges, refunds, invoices, payment methods',
  technical: 'app or website errors, integrations, crashes',
  account: 'login, password reset, 2FA, profile access',
  shipping: 'delivery status, tracking, customs, lost parcels',
  fraud: 'unrecognised orders or charges, account takeover, scams',
};

export const MIN_CONFIDENCE = 0.6;

/** Keyword routing for the scripted router; a message matching none is routed with low confidence. */
const ROUTES: { dept: Department; words: RegExp; reason: string }[] = [
  { dept: 'fraud', words: /did(?:n't| not) (?:place|make|order)|unrecogni[sz]ed|stolen|scam|hacked/i, reason: 'The customer reports activity they did not authorise.' },
  { dept: 'billing', words: /charged|refund|invoice|payment|billing/i, reason: 'The primary issue is a charge or refund.' },
  { dept: 'account', words: /log ?in|password|2fa|locked out|account access/i, reason: 'The customer cannot access their account.' },
  { dept: 'shipping', words: /deliver|tracking|parcel|package|customs|shipping/i, reason: 'The question is about a delivery.' },
  { dept: 'technical', words: /error|crash|bug|app|api|website/i, reason: 'The customer reports a technical fault.' },
];

const SPECIALIST_REPLIES: Record<Department, (msg: string) => string> = {
  billing: (m) => {
    const order = /\b(\d{3,8})\b/.exec(m)?.[1];
    // Only a message that reports a double charge is answered as one.
    const duplicate = /twice|duplicate|double/i.test(m);
    return (
      `I'm sorry about the ${duplicate ? 'duplicate ' : ''}charge${order ? ` on order ${order}` : ''}. ` +
      `Could you send the invoice ID${duplicate ? ' shown on both charges' : ''}? ` +
      `Once I have it I will open a refund request${duplicate ? ' for the duplicate' : ''}; I will not quote amounts until I see the invoice.`
    );
  },
  technical: () => 'Thanks for reporting this. Please send the app version, your device and OS, and the time the error appeared (or a log export) so I can reproduce it.',
  account: () => 'I can help you get back in. I will send a reset link to the email on file — please never share your password or one-time codes with anyone, including us.',
  shipping: () => 'Could you send the order number or tracking number? I will check the tracking with the carrier; if the parcel is held at customs I will hand it to a human agent who can deal with the customs office.',
  fraud: () =>
    'Thank you for flagging this. I will record the order as disputed. Could you tell me when you first noticed it and whether anyone else has access to your account or card? We will investigate before any further charge.',
};

export function coordinatorScript(): Model {
  return scriptedByRules([
    {
      match: 'Route this support request',
      reply: (req) => {
        const msg = lastUserMessage(req);
        const hit = ROUTES.find((r) => r.words.test(msg));
        if (!hit) return { object: { specialist: 'technical', reason: 'No clear department; the message is ambiguous.', confidence: 0.35 } };
        return { object: { specialist: hit.dept, reason: hit.reason, confidence: 0.92 } };
      },
    },
    ...(Object.keys(SPECIALISTS) as Department[]).map((dept) => ({
      match: SPECIALISTS[dept],
      reply: (req: Parameters<typeof lastUserMessage>[0]) => SPECIALIST_REPLIES[dept](lastUserMessage(req)),
    })),
  ]);
}

/** The fallback: no model guess — a person looks at it. */
export const humanHandoff = step<string, string>('human-handoff', () =>
  'I want to make sure the right person handles this, so I have passed your message to a Vend support lead. You will hear back within one business day.',
);

export function supportCoordinator(model: Model = coordinatorScript()) {
  const specialists = Object.fromEntries(
    (Object.keys(SPECIALISTS) as Department[]).map((dept) => [dept, prompt<string, string>({ name: dept, model, instructions: SPECIALISTS[dept] })]),
  ) as Record<Department, ReturnType<typeof prompt<string, string>>>;
  return route({ model, instructions: ROUTER_PROMPT, descriptions: DESCRIPTIONS }, specialists, {
    fallback: humanHandoff,
    minConfidence: MIN_CONFIDENCE,
    name: 'support-coordinator',
  });
}

export const example: VendExample = {
  name: 'support-coordinator',
  pattern: 7,
  patternName: 'coordinator',
  summary: 'Routes a support message to billing, technical, account, shipping or fraud; unclear ones go to a human lead.',
  inputHelp: 'a customer message to route',
  defaultInput: 'I was charged twice for order 1042 and want a refund for the duplicate charge.',
  root: () => supportCoordinator(),
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const result = await run(supportCoordinator(model), input, runOptions);
    const { decision, output } = result.output;
    const outcome = decision.fallback
      ? `fallback to human lead (${decision.fallbackReason})`
      : `routed to ${decision.specialist}${decision.confidence !== undefined ? ` (confidence ${decision.confidence})` : ''}`;
    return { outcome, answer: output, details: { decision }, result };
  },
};
