/**
 * Pattern 1 — single agent. Vend's first support agent: look up an order,
 * answer from the tool data only, open a ticket when the tools cannot answer.
 */
import { z } from 'zod';
import { Agent } from '../../src/patterns/agent.js';
import { tool } from '../../src/core/tool.js';
import { run } from '../../src/core/run.js';
import type { Model } from '../../src/core/model.js';
import { lastUserMessage, scripted, toolResults } from '../../src/models/scripted.js';
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
      return { order_id, status: order.status, carrier: order.carrier, eta: order.eta };
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

const orderIdsIn = (text: string): string[] => [...new Set([...text.matchAll(/\b(\d{3,8})\b/g)].map((m) => m[1]!))];

/**
 * Scripted stand-in for the model: look up every order the message names, then answer only from
 * what the tools returned. A follow-up that names no order ("And when will it arrive?") is about the
 * last order named earlier in the conversation (a session's history), as a real model would read it.
 */
export function orderSupportScript(): Model {
  return scripted((req) => {
    const question = lastUserMessage(req);
    const lastUser = req.messages.findLastIndex((m) => m.role === 'user');
    // Only this question's tool results count: earlier turns of a session have their own.
    const results = toolResults({ ...req, messages: req.messages.slice(lastUser + 1) });
    const earlier = req.messages.slice(0, lastUser).filter((m) => m.role === 'user').map((m) => m.content);
    const orderIds = orderIdsIn(question).length ? orderIdsIn(question) : orderIdsIn(earlier.at(-1) ?? '').slice(0, 1);
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
    return results.map((r) => {
      const o = JSON.parse(r.content) as { order_id: string; status: string; carrier: string | null; eta: string | null };
      const via = o.carrier ? ` with ${o.carrier}` : '';
      if (asksWhen) return o.eta ? `Order ${o.order_id} should arrive on ${o.eta} (it is ${o.status}${via}).` : `Order ${o.order_id} is ${o.status}; there is no delivery date yet.`;
      const eta = o.eta ? ` (estimated delivery ${o.eta})` : '';
      return `Order ${o.order_id} is ${o.status}${via}${eta}.`;
    }).join(' ');
  });
}

export function orderSupportAgent(model: Model = orderSupportScript()) {
  return new Agent({ name: 'order-support', instructions: SYSTEM_PROMPT, model, tools: orderTools(), maxTurns: 4 });
}

export const example: VendExample = {
  name: 'order-support',
  pattern: 1,
  patternName: 'single agent',
  summary: 'Answers order questions from get_order; opens a ticket when the data cannot answer.',
  defaultInput: 'Where is order 1042?',
  async run(input, options = {}) {
    const { model, ...runOptions } = options;
    const result = await run(orderSupportAgent(model), input, runOptions);
    const out = result.output;
    const ticket = out.actions.find((a) => a.tool === 'create_support_ticket' && a.ok);
    return {
      outcome: out.stopReason === 'max_turns' ? 'turn cap reached' : ticket ? 'ticket opened' : 'answered',
      answer: out.text,
      actions: out.actions,
      result,
    };
  },
};
