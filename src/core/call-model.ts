/**
 * The one door to a model: runs the call through the context's interceptors,
 * then charges the budget, opens a span, records usage, cost and the
 * provider's request id. Patterns never call `generate` directly.
 */
import { asAbortError, type RunContext } from './context.js';
import { ConfigError, ModelError } from './errors.js';
import { intercept, type ModelInvocation } from './interceptor.js';
import type { CallOptions, Model, ModelRequest, ModelResponse, RetryInfo, StreamEvent } from './model.js';
import { costOfResponse, priceOf } from './pricing.js';
import type { ActiveSpan } from './tracer.js';

/**
 * What the provider is given. A class, not a literal with getters (cheaper to
 * make): `signal` is a getter, so the run's AbortSignal is made only if the
 * provider reads it.
 */
class ModelCallOptions implements CallOptions {
  readonly requestId: string;
  private retries = 0;

  constructor(
    private readonly ctx: RunContext,
    private readonly model: Model,
    private readonly span: ActiveSpan,
  ) {
    this.requestId = ctx.requestId;
  }

  get signal(): AbortSignal {
    return this.ctx.signal;
  }

  /** Retries show on the span and in the log (a getter: the closure is made only for a provider that retries). */
  get onRetry(): (info: RetryInfo) => void {
    return (info) => {
      this.span.set('retries', ++this.retries);
      this.ctx.logger.warn({ provider: this.model.provider, model: this.model.modelId, ...info }, 'model call failed; retrying');
    };
  }
}

export function callModel(ctx: RunContext, model: Model, request: ModelRequest, name?: string): Promise<ModelResponse> {
  const call: ModelInvocation = {
    ctx,
    model,
    request,
    name: name ?? model.modelId,
    spanId: ctx.tracer.newSpanId(),
    parentSpanId: ctx.spanId,
    path: ctx.path,
    onStreamEvent: undefined,
  };
  return intercept('model', call, generate);
}

/** The core of a model call, inside every interceptor. */
async function generate(call: ModelInvocation): Promise<ModelResponse> {
  const { ctx, model, request } = call;
  ctx.throwIfAborted();
  if (ctx.budget.capsCost) requirePrices(model);
  ctx.budget.chargeModelTurn();
  const span = ctx.tracer.start('model', call.name, call.parentSpanId, undefined, call.spanId);
  let response: ModelResponse;
  try {
    const options = new ModelCallOptions(ctx, model, span);
    response = call.onStreamEvent ? await streamed(model, request, options, call.onStreamEvent) : await model.generate(request, options);
  } catch (err) {
    // A cancelled run fails with its own abort error, whatever the provider threw.
    const failure = ctx.aborted ? asAbortError(ctx.abortReason) : err;
    span.fail(failure, { provider: model.provider, model: model.modelId, messages: request.messages.length });
    throw failure;
  }
  const costUsd = costOfResponse(model, response);
  // The span's attributes in one literal (one shape for every model span), all of them the
  // library's own counts, names and ids: nothing to redact.
  span.end({
    provider: model.provider,
    model: model.modelId,
    messages: request.messages.length,
    usage: response.usage,
    costUsd,
    finishReason: response.finishReason,
    providerRequestId: response.providerRequestId,
    toolCalls: response.toolCalls.length,
    servedBy: response.route && `${response.route.servedBy.provider}:${response.route.servedBy.modelId}`,
    fallbacks: response.route?.skipped,
  }, undefined, true);
  ctx.budget.recordUsage(response.usage, costUsd);
  return response;
}

/** A cost cap cannot hold on a model without a price: refuse before spending anything. */
function requirePrices(model: Model): void {
  if (model.routes) {
    for (const m of model.routes) requirePrices(m);
    return;
  }
  if (priceOf(model.provider, model.modelId)) return;
  throw new ConfigError(
    'maxCostUsd',
    `${model.provider}:${model.modelId} has no price, so the cost cap cannot be enforced; ` +
      `give it one with setPrice('${model.provider}:${model.modelId}', { inputPerMTok, outputPerMTok }) or run without maxCostUsd`,
  );
}

/**
 * A streamed call: every event to `onEvent`, and the `finish` event's response as the answer. A
 * consumer that is behind makes `onEvent` return a promise: the provider's stream waits for it.
 */
async function streamed(model: Model, request: ModelRequest, options: CallOptions, onEvent: (event: StreamEvent) => void | Promise<void>): Promise<ModelResponse> {
  let response: ModelResponse | undefined;
  for await (const event of model.stream(request, options)) {
    const pending = onEvent(event);
    if (pending) await pending;
    if (event.type === 'finish') response = event.response;
  }
  if (!response) throw new ModelError(model.provider, 'the stream ended without a finish event');
  return response;
}
