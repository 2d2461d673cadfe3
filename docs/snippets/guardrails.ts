// Guardrails: an input check before the agent's first model call, an output check on its final answer.
import { z } from 'zod';
import { Agent, GuardrailTripped, callModel, inputGuardrail, outputGuardrail, run, tool, type Model } from 'agent-patterns';
import { scripted } from 'agent-patterns/testing';

const CARD = /\b\d{4}(?: ?\d{4}){3}\b/;

/** Deterministic: redact a card number before any model sees it. */
const redactCards = inputGuardrail({
  name: 'redact-cards',
  check: ({ text }) => (CARD.test(text) ? { rewrite: text.replace(CARD, '[card]'), reason: 'card number redacted' } : { allow: true }),
});

/** A model call (charged to the run's budget), checked while the agent's first model call is already in flight. */
const onTopic = (judge: Model) =>
  inputGuardrail({
    name: 'on-topic',
    concurrent: true, // a block aborts the agent's model call and discards its answer; tools wait for the verdict
    check: async ({ text, ctx }) => {
      const verdict = await callModel(ctx, judge, { messages: [{ role: 'system', content: 'Reply ON or OFF: is this about an order?' }, { role: 'user', content: text }] });
      return verdict.text.startsWith('OFF') ? { block: 'not about an order' } : { allow: true };
    },
  });

/** Every price in the answer must come from a tool result; a bad answer is sent back once, then blocked. */
const pricesFromTools = outputGuardrail({
  name: 'prices-from-tools',
  correct: true,
  check: ({ text, toolOutputs }) => {
    const toolData = toolOutputs.join(' ');
    const invented = (text.match(/\$\d+(?:\.\d\d)?/g) ?? []).filter((price) => !toolData.includes(price.slice(1)));
    return invented.length ? { block: `it quotes ${invented.join(', ')}, which no tool returned` } : { allow: true };
  },
});

const getOrder = tool({
  name: 'get_order',
  description: 'Fetch an order by ID.',
  input: z.object({ order_id: z.string() }),
  execute: ({ order_id }) => ({ order_id, status: 'shipped', total: '189.00' }),
});

export async function main() {
  const model = scripted([{ toolCalls: [{ name: 'get_order', args: { order_id: '1042' } }] }, 'Order 1042 has shipped; the total was $189.00.']);
  const agent = new Agent({
    name: 'support',
    instructions: 'Answer from tool data only.',
    model,
    tools: [getOrder],
    guardrails: { input: [redactCards, onTopic(scripted(['ON']))], output: [pricesFromTools] },
  });
  try {
    const result = await run(agent, 'Where is order 1042? My card is 4111 1111 1111 1111.');
    return result.output.text; // the model never saw the card number; each verdict is a `guardrail:<name>` decision in result.trace
  } catch (err) {
    if (err instanceof GuardrailTripped) return `refused (${err.guardrail}, ${err.stage}): ${err.reason}`;
    throw err;
  }
}
// The same guardrails also work per run, around the root step or the steps they name:
// run(workflow, input, { interceptors: [inputGuardrail({ name, check, steps: ['draft-reply'] })] })
