import { prompt, run, sequence } from 'agent-patterns';
import { scriptedByRules } from 'agent-patterns/testing';

// scripted([a, b]) answers by the turn of ONE conversation: a first, then b after a tool result. Every stage of
// a sequence (every prompt, every agent) starts its own conversation, so each would get `a`. For several
// stages, answer by rule: each rule matches a stage's instructions (or its input).
const model = scriptedByRules([
  { match: 'Extract the order id', reply: '1042' },
  { match: 'Write the customer reply', reply: 'Order 1042 has shipped with DHL.' },
]);

const pipeline = sequence(
  prompt({ name: 'extract', model, instructions: 'Extract the order id from the message.' }),
  prompt({ name: 'reply', model, instructions: 'Write the customer reply for this order id.', input: (id: string) => `Order id: ${id}` }),
);

export async function answer(message: string): Promise<string> {
  return (await run(pipeline, message)).output; // "Order 1042 has shipped with DHL."
}
