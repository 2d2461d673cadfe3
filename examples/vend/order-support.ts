/**
 * Pattern 1 — single agent. Vend's first support agent: look up an order,
 * answer from the tool data only, open a ticket when the tools cannot answer.
 * Two guardrails stand around it: one refuses a question about another
 * customer's order before the model sees it, one holds back a reply that
 * quotes a price the tools did not return (the model is asked once to
 * correct it). A refusal is answered by code, not by the model.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Agent, GuardrailTripped, inputGuardrail, outputGuardrail, run, runStep, tool, type ActionRecord, type AgentInput, type AgentResult, type AnyTool, type Model, type Step } from 'agent-patterns';
import { lastUserMessage, scripted, toolResults } from 'agent-patterns/testing';
import { mcpServer } from 'agent-patterns/mcp';
import { ORDERS } from './data/orders.js';
import type { VendExample } from './types.js';

export const SYSTEM_PROMPT =
  'You are a customer support agent. Use tools when order data is needed. ' +
  'Do not invent order status. If the issue cannot be resolved from tools, create a ticket.';

export function orderTools() {
  let nextTicket = 1042;
  const getOrder = tool({
    name: 'get_order',
    description: 'Fetch order status, carrier and ETA by order ID. Returns an error if the order does not exist.',
    input: z.object({ order_id: z.string().regex(/^\d{3,8}$/, 'an order id is digits only') }),
    execute: ({ order_id }) => {
      const order = ORDERS.get(order_id);
      if (!order) throw new Error(`order ${order_id} not found`);
      return { order_id, status: order.status, carrier: order.carrier, eta: order.eta, total: order.amount };
    },
  });
  const createTicket = tool({
    name: 'create_support_ticket',
    description: 'Create a support ticket when the issue cannot be answered from order data. Returns the ticket id.',
    input: z.object({ order_id: z.string(), reason: z.string().min(5) }),
    execute: ({ order_id, reason }) => ({ ticket_id: `SUP-${nextTicket++}`, order_id, reason }),
  });
  return [getOrder, createTicket] as const;
}

const ORDER_ID = /\b(\d{3,8})\b/g;
const CORRECTION = 'Your answer was not sent';
const orderIdsIn = (text: string): string[] => [...new Set([...text.matchAll(ORDER_ID)].map((m) => m[1]!))];

/**
 * Scripted stand-in for the model: look up every order the message names, then answer from what the tools
 * returned. A follow-up that names no order ("And when will it arrive?") is about the last order named
 * earlier in the conversation (a session's history), as a real model would read it. Like a real model it
 * sometimes says more than the data holds: asked about shipping costs, it makes one up — until the price
 * guardrail sends its answer back.
 */
export function orderSupportScript(): Model {
  return scripted((req) => {
    const userTurns = req.messages.flatMap((m, i) => (m.role === 'user' ? [{ i, text: lastUserMessage({ messages: [m] }) }] : []));
    // The customer's questions: every user message but the guardrail's requests for a correction.
    const questions = userTurns.filter((u) => !u.text.startsWith(CORRECTION));
    const current = questions.at(-1);
    const question = current?.text ?? '';
    const previousQuestion = questions.at(-2)?.text ?? '';
    const corrected = userTurns.at(-1)?.text.startsWith(CORRECTION) ?? false;
    // Only this question's tool results count: earlier turns of a session have their own.
    const results = toolResults({ ...req, messages: req.messages.slice((current?.i ?? -1) + 1) });
    const orderIds = orderIdsIn(question).length ? orderIdsIn(question) : orderIdsIn(previousQuestion).slice(0, 1);
    const asksWhen = /\bwhen\b/i.test(question) && orderIdsIn(question).length === 0;
    if (results.length === 0) {
      if (orderIds.length === 0) return { toolCalls: [{ name: 'create_support_ticket', args: { order_id: 'unknown', reason: `No order id given: ${question}` } }] };
      return { toolCalls: orderIds.map((order_id) => ({ name: 'get_order', args: { order_id } })) };
    }
    const last = results[results.length - 1]!;
    if (last.toolName === 'create_support_ticket') {
      const t = JSON.parse(last.content) as { ticket_id: string };
      return `I could not find that in our order data, so I opened ticket ${t.ticket_id}; a support agent will follow up.`;
    }
    const failed = results.find((r) => r.toolName === 'get_order' && r.isError);
    if (failed) {
      return { toolCalls: [{ name: 'create_support_ticket', args: { order_id: orderIds[0] ?? 'unknown', reason: `Order lookup failed: ${failed.content}` } }] };
    }
    const answer = results.map((r) => {
      const o = JSON.parse(r.content) as { order_id: string; status: string; carrier: string | null; eta: string | null; total?: number };
      const via = o.carrier ? ` with ${o.carrier}` : '';
      if (asksWhen) return o.eta ? `Order ${o.order_id} should arrive on ${o.eta} (it is ${o.status}${via}).` : `Order ${o.order_id} is ${o.status}; there is no delivery date yet.`;
      const eta = o.eta ? ` (estimated delivery ${o.eta})` : '';
      // The MCP order service returns no total: then there is none to tell.
      const total = o.total !== undefined && /how much|cost|price|total/i.test(question) ? ` The order total was $${o.total.toFixed(2)}.` : '';
      return `Order ${o.order_id} is ${o.status}${via}${eta}.${total}`;
    }).join(' ');
    if (!/shipping/i.test(question)) return answer;
    return corrected ? `${answer} I cannot quote shipping costs: they are not in the order data.` : `${answer} Express shipping would be $14.99.`;
  });
}

/**
 * Refuses a question about an order of another customer. The customer is the signed-in one the app passes as
 * run metadata (`customerId`), else the one the message names ("I am customer c-22"): a claimed id can only
 * narrow what is answered, since without it the agent answers any order.
 */
export const ownOrdersOnly = inputGuardrail({
  name: 'own-orders',
  check: ({ text, ctx }) => {
    const customer = typeof ctx.metadata.customerId === 'string' ? ctx.metadata.customerId : /\bcustomer (c-\d+)\b/i.exec(text)?.[1];
    if (!customer) return { allow: true };
    const foreign = [...text.matchAll(ORDER_ID)].map((m) => m[1]!).filter((id) => ORDERS.get(id) && ORDERS.get(id)!.customer_id !== customer);
    return foreign.length ? { block: `order ${foreign.join(', ')} belongs to another customer than ${customer}` } : { allow: true };
  },
});

/** Holds back a reply quoting a price that no tool returned; the model is asked once to answer without it. */
export const pricesFromToolData = outputGuardrail({
  name: 'prices-from-tools',
  correct: true,
  check: ({ text, toolOutputs }) => {
    const known = new Set(toolOutputs.flatMap(numbersIn));
    const quoted = [...text.matchAll(/\$\s?(\d+(?:\.\d{1,2})?)/g)].map((m) => m[1]!);
    const unknown = quoted.filter((p) => !known.has(Number(p)));
    return unknown.length ? { block: `it quotes $${unknown.join(', $')}, which no tool returned` } : { allow: true };
  },
});

/** Every number in a tool's JSON result (ids and dates are strings there, so they do not count as prices). */
function numbersIn(content: string): number[] {
  const found: number[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'number') found.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  try {
    walk(JSON.parse(content));
  } catch {
    // not JSON: no prices
  }
  return found;
}

export function orderSupportAgent(model: Model = orderSupportScript(), tools: readonly AnyTool[] = orderTools()) {
  return new Agent({
    name: 'order-support',
    instructions: SYSTEM_PROMPT,
    model,
    tools,
    maxTurns: 4,
    guardrails: { input: [ownOrdersOnly], output: [pricesFromToolData] },
  });
}

const REFUSALS = {
  input: 'I can only help with orders on your own account. Please sign in as the customer who placed the order.',
  output: 'I could not give an answer I can stand behind from our order data; a support agent will follow up.',
};

/** The agent's answer, or the desk's refusal naming the guardrail that tripped. */
type DeskAnswer = AgentResult | { text: string; actions: ActionRecord[]; stopReason: 'refused'; refusedBy: string };

/** The support desk: the guarded agent, and a refusal written in code when a guardrail trips. */
export function supportDesk(model?: Model, tools?: readonly AnyTool[]) {
  const agent = orderSupportAgent(model, tools);
  const desk: Step<AgentInput, DeskAnswer> = {
    name: 'support-desk',
    describe: () => ({ kind: 'step', name: 'support-desk', children: [agent.describe()] }),
    async run(input, ctx) {
      try {
        return await runStep(ctx, agent, input);
      } catch (err) {
        if (!(err instanceof GuardrailTripped)) throw err;
        return { text: REFUSALS[err.stage], actions: [], stopReason: 'refused', refusedBy: err.guardrail };
      }
    },
  };
  return desk;
}

/** Vend's order service as an MCP server over stdio (examples/mcp/vend-order-server.ts): started on first use. */
export function orderServiceOverMcp() {
  const here = fileURLToPath(import.meta.url);
  // The server runs as plain JavaScript: beside this file once built, from dist/ when this file runs from source.
  const script = here.endsWith('.ts') ? join(dirname(here), '../../dist/examples/mcp/vend-order-server.js') : join(dirname(here), '../mcp/vend-order-server.js');
  return mcpServer({ name: 'vend-orders', command: process.execPath, args: [script] });
}

export const example: VendExample = {
  name: 'order-support',
  pattern: 1,
  patternName: 'single agent',
  summary: 'Answers order questions from get_order; opens a ticket when the data cannot answer; guardrails refuse other customers\' orders and made-up prices.',
  inputHelp: 'a customer question (orders 1042-1046 exist in the demo data)',
  defaultInput: 'Where is order 1042, and what would express shipping cost?',
  acceptsAttachments: true,
  mcp: true,
  root: () => supportDesk(),
  async run(input, options = {}) {
    const { model, attachments, mcp, ...runOptions } = options;
    // The server process ends with this block, however the run ends.
    await using server = mcp ? orderServiceOverMcp() : undefined;
    // With attachments (a photo of the parcel, a PDF invoice) the question travels as content parts.
    const message: AgentInput = attachments?.length ? [{ role: 'user', content: [{ type: 'text', text: input }, ...attachments] }] : input;
    const result = await run(supportDesk(model, server ? await server.tools() : undefined), message, runOptions);
    const out = result.output;
    const ticket = out.actions.find((a) => a.tool === 'create_support_ticket' && a.ok);
    const corrected = result.trace.some((s) => s.kind === 'decision' && s.attributes.action === 'correct');
    return {
      outcome:
        'refusedBy' in out ? `refused by guardrail ${out.refusedBy}`
        : ticket ? 'ticket opened'
        : corrected ? 'answered after a guardrail correction'
        : 'answered',
      answer: out.text,
      actions: out.actions,
      result,
    };
  },
};
