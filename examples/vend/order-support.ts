/**
 * Pattern 1 — single agent. Vend's first support agent: look up an order,
 * answer from the tool data only, open a ticket when the tools cannot answer.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Agent, tool, run, type AgentInput, type AnyTool, type Model } from 'agent-patterns';
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
    const previousQuestion = lastUserMessage({ ...req, messages: req.messages.slice(0, lastUser) });
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
    return results.map((r) => {
      const o = JSON.parse(r.content) as { order_id: string; status: string; carrier: string | null; eta: string | null };
      const via = o.carrier ? ` with ${o.carrier}` : '';
      if (asksWhen) return o.eta ? `Order ${o.order_id} should arrive on ${o.eta} (it is ${o.status}${via}).` : `Order ${o.order_id} is ${o.status}; there is no delivery date yet.`;
      const eta = o.eta ? ` (estimated delivery ${o.eta})` : '';
      return `Order ${o.order_id} is ${o.status}${via}${eta}.`;
    }).join(' ');
  });
}

export function orderSupportAgent(model: Model = orderSupportScript(), tools: readonly AnyTool[] = orderTools()) {
  return new Agent({ name: 'order-support', instructions: SYSTEM_PROMPT, model, tools, maxTurns: 4 });
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
  summary: 'Answers order questions from get_order; opens a ticket when the data cannot answer.',
  defaultInput: 'Where is order 1042?',
  acceptsAttachments: true,
  mcp: true,
  root: () => orderSupportAgent(),
  async run(input, options = {}) {
    const { model, attachments, mcp, ...runOptions } = options;
    // The server process ends with this block, however the run ends.
    await using server = mcp ? orderServiceOverMcp() : undefined;
    // With attachments (a photo of the parcel, a PDF invoice) the question travels as content parts.
    const message: AgentInput = attachments?.length ? [{ role: 'user', content: [{ type: 'text', text: input }, ...attachments] }] : input;
    const result = await run(orderSupportAgent(model, server ? await server.tools() : undefined), message, runOptions);
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
