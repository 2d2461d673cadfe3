/** Vend's order table for the offline examples (an in-memory stand-in for the order service). */
export interface Order {
  order_id: string;
  status: 'processing' | 'shipped' | 'delivered' | 'delayed' | 'cancelled';
  carrier: string | null;
  eta: string | null;
  items: string[];
  amount: number;
  customer_id: string;
}

export const ORDERS: ReadonlyMap<string, Order> = new Map(
  (
    [
      { order_id: '1042', status: 'shipped', carrier: 'DHL', eta: '2026-06-01', items: ['espresso grinder'], amount: 189.0, customer_id: 'c-17' },
      { order_id: '1043', status: 'processing', carrier: null, eta: null, items: ['desk lamp', 'bulbs x4'], amount: 64.5, customer_id: 'c-22' },
      { order_id: '1044', status: 'delivered', carrier: 'UPS', eta: '2026-05-20', items: ['running shoes'], amount: 120.0, customer_id: 'c-17' },
      { order_id: '1045', status: 'delayed', carrier: 'FedEx', eta: '2026-06-09', items: ['standing desk'], amount: 420.0, customer_id: 'c-31' },
      { order_id: '1046', status: 'cancelled', carrier: null, eta: null, items: ['headphones'], amount: 89.99, customer_id: 'c-40' },
    ] satisfies Order[]
  ).map((o) => [o.order_id, o]),
);
