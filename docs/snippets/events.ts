// Pattern 15 — an event-driven agent: consume() with an in-memory source and a store.
import { z } from 'zod';
import { prompt, type Store } from 'agent-patterns';
import { consume, memorySource } from 'agent-patterns/events';
import { scripted } from 'agent-patterns/testing';

const Decision = z.strictObject({ action: z.enum(['block', 'flag', 'allow']), reasoning: z.string() });
type Payment = { event_id: string; amount: number; risk_signal: string };

export async function decidePayments(store: Store, payments: Payment[]) {
  const analyst = prompt<Payment, z.infer<typeof Decision>>({
    name: 'fraud-analyst',
    model: scripted([{ object: { action: 'flag', reasoning: 'uncertain: new device' } }]),
    instructions: 'You are a fraud risk analyst. Only block when evidence is strong. Flag when uncertain. Allow when risk is low.',
    output: Decision,
  });

  const source = memorySource<Payment>();
  for (const p of payments) source.push(p.event_id, p); // the event id is the idempotency key
  source.end(); // consume() resolves once everything pushed is handled

  const stats = await consume(source, analyst, {
    consumer: 'fraud-events', // every worker of this consumer shares its decisions
    store, // decision stored before the ack; a duplicate id is acked without a new decision
    concurrency: 8,
    timeoutMs: 30_000,
    retries: 3, // then a dead letter with the error
    budget: { maxModelTurns: 4, maxCostUsd: 0.05 }, // per event
    publish: (d) => console.log(d.eventId, d.decision.action),
  }).done;
  return stats; // { received, decided, duplicates, deadLettered, ... }
}
