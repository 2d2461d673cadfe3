/**
 * S7 first_run for agent-patterns: import the entry points the S1 adapter uses (plus zod), build the S1
 * agent and scripted model (T = 9, no delay), complete one S1 run, check it, exit by itself.
 * Standalone on purpose (not bench/lib.js): a cold process loads only what this program needs.
 */
import { z } from 'zod';
import { Agent, run, tool } from 'agent-patterns';
import { scripted } from 'agent-patterns/testing';

const T = 9;
const PROMPT = 'add numbers nine times';
let executions = 0;
const add = tool({
  name: 'add',
  description: 'Add two numbers and return the sum.',
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => {
    executions++;
    return a + b;
  },
});
const model = scripted(
  (request) => {
    let n = 0;
    let lastUser = '';
    for (const m of request.messages) {
      if (m.role === 'tool') n++;
      else if (m.role === 'user') lastUser = m.content;
    }
    if (n < T) return { toolCalls: [{ name: 'add', id: `call_${n}`, args: { a: n, b: 1 } }] };
    return `done(${n}): ${lastUser}`;
  },
  { usage: { inputTokens: 10, outputTokens: 5 } },
);
const agent = new Agent({ name: 'calculator', instructions: 'You are a calculator agent.', model, tools: [add] });
const result = await run(agent, PROMPT);
if (result.output.text !== `done(${T}): ${PROMPT}` || executions !== T) {
  throw new Error(`S7 first_run check failed: "${result.output.text}", ${executions} tool runs`);
}
