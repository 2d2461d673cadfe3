/**
 * S6 for agent-patterns: one Agent, no tools, streamed with `stream()`; the consumer reads the
 * run's events and joins the text deltas. The model streams through our Model protocol: an async
 * generator that makes each `"tok "` delta only when the run pulls it, with no timer or tick.
 */
import { Agent } from 'agent-patterns';
import { stream } from 'agent-patterns/stream';
import { DELTA, DELTAS, INSTRUCTIONS, checkConversation, measureStreaming } from './measure.js';
import { VERSION } from '../lib-core.js';

const USAGE = { inputTokens: 10, outputTokens: DELTAS };

function inspect(request) {
  let toolResults = 0;
  let lastUser = '';
  for (const m of request.messages) {
    if (m.role === 'tool') toolResults++;
    else if (m.role === 'user') lastUser = m.content;
  }
  checkConversation(toolResults, lastUser);
}

const model = {
  provider: 'scripted',
  modelId: 's6-streaming',
  async generate() {
    throw new Error('S6 streams: generate() is not used');
  },
  async *stream(request) {
    inspect(request);
    let text = '';
    for (let i = 0; i < DELTAS; i++) {
      text += DELTA;
      yield { type: 'text-delta', delta: DELTA };
    }
    yield { type: 'finish', response: { text, toolCalls: [], usage: USAGE, finishReason: 'stop' } };
  },
};

const agent = new Agent({ name: 'streamer', instructions: INSTRUCTIONS, model });

await measureStreaming('agent-patterns', VERSION, async (onFirst, wantUsage) => {
  const s = stream(agent, 'stream please');
  let text = '';
  for await (const e of s) {
    if (e.type === 'text-delta') {
      onFirst();
      text += e.delta;
    }
  }
  return { text, usage: wantUsage ? (await s.result).usage : undefined };
});
