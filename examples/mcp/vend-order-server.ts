/**
 * Vend's order service as a small MCP server: the tools a support agent
 * needs, served over stdio to any MCP client (`order-support --mcp` is one).
 * Each tool says what it does to the world, as MCP annotations: a client of
 * agent-patterns lets `cancel_order` (destructive) run only with a guard or
 * a human approval. Run it: `node dist/examples/mcp/vend-order-server.js`.
 */
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { step } from 'agent-patterns';
import { serveMcp, type McpToolEntry } from 'agent-patterns/mcp';
import { ORDERS } from '../vend/data/orders.js';

const OrderId = z.object({ order_id: z.string().regex(/^\d{3,8}$/, 'an order id is digits only') });

export function orderServiceTools(): McpToolEntry[] {
  let nextTicket = 1042;
  const cancelled = new Set<string>();
  const lookup = (id: string) => {
    const order = ORDERS.get(id);
    if (!order) throw new Error(`order ${id} not found`);
    return order;
  };
  return [
    {
      step: step('get_order', ({ order_id }: z.infer<typeof OrderId>) => {
        const order = lookup(order_id);
        return { order_id, status: cancelled.has(order_id) ? 'cancelled' : order.status, carrier: order.carrier, eta: order.eta };
      }),
      input: OrderId,
      description: 'Fetch order status, carrier and ETA by order ID. Returns an error if the order does not exist.',
      annotations: { readOnlyHint: true },
    },
    {
      step: step('create_support_ticket', ({ order_id, reason }: { order_id: string; reason: string }) => ({ ticket_id: `SUP-${nextTicket++}`, order_id, reason })),
      input: z.object({ order_id: z.string(), reason: z.string().min(5) }),
      description: 'Create a support ticket when the issue cannot be answered from order data. Returns the ticket id.',
      annotations: { readOnlyHint: false, destructiveHint: false },
    },
    {
      step: step('cancel_order', ({ order_id }: z.infer<typeof OrderId>) => {
        lookup(order_id);
        cancelled.add(order_id);
        return { order_id, status: 'cancelled' };
      }),
      input: OrderId,
      description: 'Cancel an order. Irreversible: the order cannot be restored.',
      annotations: { readOnlyHint: false, destructiveHint: true },
    },
  ];
}

// Started as a program (not imported): serve over stdio until the client goes away.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const serving = await serveMcp(orderServiceTools(), { name: 'vend-orders' });
  await serving.closed;
}
