/**
 * S7 first_run for the anchor, the Vercel AI SDK (`ai`): the same S1 agent through generateText with the
 * scripted model of SCENARIOS.md written as a LanguageModelV3 (T = 9, no delay), one run, checked, exits
 * by itself.
 */
import { z } from 'zod';
import { generateText, stepCountIs, tool } from 'ai';

const T = 9;
const PROMPT = 'add numbers nine times';
let executions = 0;
const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};
const model = {
  specificationVersion: 'v3',
  provider: 'scripted',
  modelId: 'scripted',
  supportedUrls: {},
  async doGenerate({ prompt }) {
    let n = 0;
    let lastUser = '';
    for (const m of prompt) {
      if (m.role === 'tool') n += m.content.length;
      else if (m.role === 'user') lastUser = m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
    }
    if (n < T) {
      return {
        content: [{ type: 'tool-call', toolCallId: `call_${n}`, toolName: 'add', input: JSON.stringify({ a: n, b: 1 }) }],
        finishReason: { unified: 'tool-calls', raw: undefined },
        usage,
        warnings: [],
      };
    }
    return { content: [{ type: 'text', text: `done(${n}): ${lastUser}` }], finishReason: { unified: 'stop', raw: undefined }, usage, warnings: [] };
  },
  async doStream() {
    throw new Error('not used by S7');
  },
};
const add = tool({
  description: 'Add two numbers and return the sum.',
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  execute: async ({ a, b }) => {
    executions++;
    return a + b;
  },
});
const result = await generateText({
  model,
  system: 'You are a calculator agent.',
  prompt: PROMPT,
  tools: { add },
  stopWhen: stepCountIs(T + 1),
});
if (result.text !== `done(${T}): ${PROMPT}` || executions !== T) {
  throw new Error(`S7 first_run check failed: "${result.text}", ${executions} tool runs`);
}
