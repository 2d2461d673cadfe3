import { z } from 'zod';
import { Agent, createModel, run, tool } from 'agent-patterns';
import { stream } from 'agent-patterns/stream';
import { scripted } from 'agent-patterns/testing';

const getOrder = tool({
  name: 'get_order',
  description: 'Fetch order status by order ID.',
  input: z.object({ order_id: z.string() }),
  execute: async ({ order_id }) => ({ order_id, status: 'shipped', carrier: 'DHL' }),
});

// Offline: a scripted model. Real: await createModel('openai:gpt-4o') (or anthropic:…, openai-compatible:…).
const model = process.env.OPENAI_API_KEY
  ? await createModel('openai:gpt-4o')
  : scripted([{ toolCalls: [{ name: 'get_order', args: { order_id: '1042' } }] }, 'Order 1042 has shipped with DHL.']);

const agent = new Agent({ name: 'support', instructions: 'Answer from tool data only.', model, tools: [getOrder] });

const result = await run(agent, 'Where is order 1042?', { budget: { maxModelTurns: 6, maxCostUsd: 0.05 } });
console.log(result.output.text);    // the answer
console.log(result.output.actions); // the action trace: tool, args, result, timing
console.log(result.usage);          // turns, tool calls, tokens, cost, wall time

// Or stream it: every token and every step as it happens (the same options as run()).
for await (const e of stream(agent, 'Where is order 1042?')) {
  if (e.type === 'text-delta') process.stdout.write(e.delta);
  else if (e.type === 'tool-call') console.log(`[${e.path}] ${e.tool}(${JSON.stringify(e.args)})`);
}
