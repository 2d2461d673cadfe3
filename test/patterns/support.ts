/** Test helpers for the workflow patterns: a model wrapper that counts what is in flight. */
import type { CallOptions, Model, ModelRequest, ModelResponse } from '../../src/core/model.js';
import { streamFromGenerate } from '../../src/core/model.js';
import { systemPrompt } from '../../src/models/scripted.js';

export interface CountingModel extends Model {
  calls: number;
  inFlight: number;
  maxInFlight: number;
  completed: number;
  /** System prompts of the calls that ended because their signal fired. */
  aborted: string[];
}

/** Wraps a model; `onStart(n, request)` runs when the n-th call starts (with the count of calls in flight). */
export function counting(model: Model, onStart?: (state: { calls: number; inFlight: number }, request: ModelRequest) => void): CountingModel {
  const m: CountingModel = {
    provider: model.provider,
    modelId: model.modelId,
    calls: 0,
    inFlight: 0,
    maxInFlight: 0,
    completed: 0,
    aborted: [],
    async generate(request: ModelRequest, options?: CallOptions): Promise<ModelResponse> {
      m.calls++;
      m.inFlight++;
      m.maxInFlight = Math.max(m.maxInFlight, m.inFlight);
      try {
        onStart?.({ calls: m.calls, inFlight: m.inFlight }, request);
        const r = await model.generate(request, options);
        m.completed++;
        return r;
      } catch (err) {
        if (options?.signal?.aborted) m.aborted.push(systemPrompt(request));
        throw err;
      } finally {
        m.inFlight--;
      }
    },
    stream(request: ModelRequest, options?: CallOptions) {
      return streamFromGenerate(m, request, options);
    },
  };
  return m;
}
