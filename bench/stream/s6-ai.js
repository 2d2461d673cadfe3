/**
 * S6 for the anchor, the Vercel AI SDK (`ai`): `streamText`, then `textStream`, as its users write
 * it. The model is a LanguageModelV3 whose stream is a pull-based ReadableStream: each `"tok "`
 * delta is made only when the SDK pulls it, with no timer or tick. (ai/test's MockLanguageModelV3
 * would also keep every call's options, which grows the heap over 250 runs; this one keeps nothing.)
 */
import { streamText } from 'ai';
import { DELTA, DELTAS, INSTRUCTIONS, PROMPT, checkConversation, measureStreaming } from './measure.js';
import { createRequire } from 'node:module';

const aiVersion = createRequire(import.meta.url)('ai/package.json').version;
const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: DELTAS, text: DELTAS, reasoning: undefined },
};

function inspect(prompt) {
  let toolResults = 0;
  let lastUser = '';
  for (const m of prompt) {
    if (m.role === 'tool') toolResults += m.content.length;
    else if (m.role === 'user') lastUser = m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
  }
  checkConversation(toolResults, lastUser);
}

const model = {
  specificationVersion: 'v3',
  provider: 'scripted',
  modelId: 's6-streaming',
  supportedUrls: {},
  async doGenerate() {
    throw new Error('S6 streams: doGenerate() is not used');
  },
  async doStream({ prompt }) {
    inspect(prompt);
    let i = -2;
    const stream = new ReadableStream({
      pull(controller) {
        if (i === -2) controller.enqueue({ type: 'stream-start', warnings: [] });
        else if (i === -1) controller.enqueue({ type: 'text-start', id: 't' });
        else if (i < DELTAS) controller.enqueue({ type: 'text-delta', id: 't', delta: DELTA });
        else if (i === DELTAS) controller.enqueue({ type: 'text-end', id: 't' });
        else if (i === DELTAS + 1) controller.enqueue({ type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage });
        else controller.close();
        i++;
      },
    }, { highWaterMark: 0 });
    return { stream };
  },
};

await measureStreaming('ai', aiVersion, async (onFirst, wantUsage) => {
  const result = streamText({ model, system: INSTRUCTIONS, prompt: PROMPT });
  let text = '';
  for await (const delta of result.textStream) {
    onFirst();
    text += delta;
  }
  if (!wantUsage) return { text };
  const u = await result.usage;
  return { text, usage: { inputTokens: u.inputTokens, outputTokens: u.outputTokens } };
});
