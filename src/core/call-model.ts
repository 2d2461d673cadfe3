/**
 * The one door to a model: charges the budget, opens a span, records usage,
 * cost and the provider's request id. Patterns never call `generate` directly.
 */
import type { RunContext } from './context.js';
import { asAbortError } from './context.js';
import type { Model, ModelRequest, ModelResponse } from './model.js';
import { costOf, priceOf } from './pricing.js';

export async function callModel(ctx: RunContext, model: Model, request: ModelRequest, name?: string): Promise<ModelResponse> {
  if (ctx.signal.aborted) throw asAbortError(ctx.signal.reason);
  ctx.budget.chargeModelTurn();
  const span = ctx.tracer.start('model', name ?? model.modelId, ctx.spanId, {
    provider: model.provider,
    model: model.modelId,
    messages: request.messages.length,
  });
  let response: ModelResponse;
  try {
    response = await model.generate(request, { signal: ctx.signal, requestId: ctx.requestId });
  } catch (err) {
    span.fail(ctx.signal.aborted ? asAbortError(ctx.signal.reason) : err);
    if (ctx.signal.aborted) throw asAbortError(ctx.signal.reason);
    throw err;
  }
  const costUsd = costOf(priceOf(model.provider, model.modelId), response.usage);
  span.end({
    usage: response.usage,
    costUsd,
    finishReason: response.finishReason,
    providerRequestId: response.providerRequestId,
    toolCalls: response.toolCalls.length,
  });
  ctx.budget.recordUsage(response.usage, costUsd);
  return response;
}
