// Interceptors wrap every model, tool and step call of a run (or of one agent): first given = outermost.
import { Agent, run, type Interceptor, type ModelResponse } from 'agent-patterns';
import { scripted } from 'agent-patterns/testing';

/** A response cache for model calls: a hit answers without calling the model (not charged, not traced). */
export function responseCache(cache = new Map<string, ModelResponse>()): Interceptor {
  return {
    name: 'response-cache',
    async model(call, next) {
      const key = JSON.stringify([call.model.provider, call.model.modelId, call.request]);
      const hit = cache.get(key);
      if (hit) return hit;
      const response = await next(call); // the model call itself: budget, span, provider
      cache.set(key, response);
      return response;
    },
  };
}

/** Where each call stands: its span, the span it runs under, the step path ("triage/parallel/logs"). */
export const stepLog = (lines: string[]): Interceptor => ({
  async step(call, next) {
    lines.push(`start ${call.path} (span ${call.spanId} under ${call.parentSpanId ?? 'nothing: the root'})`);
    const output = await next(call);
    lines.push(`end ${call.path}`);
    return output;
  },
});

export async function main() {
  const agent = new Agent({ name: 'support', instructions: 'Answer briefly.', model: scripted(['Order 1042 has shipped.']) });
  const interceptors = [stepLog([]), responseCache()];
  const first = await run(agent, 'Where is order 1042?', { interceptors });
  const second = await run(agent, 'Where is order 1042?', { interceptors }); // served by the cache
  return { first: first.usage.modelTurns, second: second.usage.modelTurns }; // { first: 1, second: 0 }
}
