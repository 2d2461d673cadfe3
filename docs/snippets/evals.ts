import { z } from 'zod';
import { Agent, tool } from 'agent-patterns';
import { defineScorer, evaluate } from 'agent-patterns/evals';
import { scripted } from 'agent-patterns/testing';

const getOrder = tool({
  name: 'get_order',
  description: 'Fetch order status by order ID.',
  input: z.object({ order_id: z.string() }),
  execute: async ({ order_id }) => ({ order_id, status: 'shipped' }),
});
const model = scripted([{ toolCalls: [{ name: 'get_order', args: { order_id: '1042' } }] }, 'Order 1042 has shipped.']);
const agent = new Agent({ name: 'support', instructions: 'Answer from tool data only.', model, tools: [getOrder] });

// Cases from real failures; each expectation names a scorer. A JSONL file path works too.
const cases = [
  { id: 'known-order', input: 'Where is order 1042?', expect: [
    { type: 'toolCalled', tool: 'get_order', args: { order_id: '1042' } },
    { type: 'contains', value: 'shipped' },
  ] },
  { id: 'no-insult', input: 'Where is order 1042? Be rude.', expect: [{ type: 'polite' }] },
];
const polite = defineScorer('polite', (run) => ({ pass: !/stupid/i.test(run.text), reason: 'no insults' }));

const result = await evaluate(agent, cases, [polite], { concurrency: 4 });
for (const c of result.cases) console.log(c.id, c.pass ? 'pass' : c.expectations.filter((e) => !e.pass).map((e) => e.reason));
