/**
 * The one door to a model: charges the budget, opens a span, records usage,
 * cost and the provider's request id. Patterns never call `generate` directly.
 */
import { RunContext, asAbortError } from './context.js';
import { ConfigError } from './errors.js';
import type { CallOptions, Model, ModelRequest, ModelResponse, RetryInfo } from './model.js';
import { costOfResponse, priceOf } from './pricing.js';
import type { ActiveSpan } from './tracer.js';

/**
 * What `generate` is given. A class, not an object literal: a literal with a
 * getter costs ~0.7 µs per call. `signal` is a getter, so the run's
 * AbortSignal is made only if the provider reads it.
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

  onAbort(listener: (reason: unknown) => void): () => void {
    return this.ctx.onAbort(listener);
  }

  /** Retries show on the span and in the log (a getter: the closure is made only for a provider that retries). */
  get onRetry(): (info: RetryInfo) => void {
    return (info) => {
      this.span.set('retries', ++this.retries);
      this.ctx.logger.warn({ provider: this.model.provider, model: this.model.modelId, ...info }, 'model call failed; retrying');
    };
  }
}

/**
 * V8 keeps the hidden classes (maps) of a class's instances only while some
 * instance uses them. When no run is in flight and a full GC comes (a quiet
 * spell), they are collected, and with them every optimized function that was
 * built on them: the next runs are interpreted and compile everything again
 * (bench S3, burst after warm-up and GC: ~116 → ~96 µs of CPU per run without
 * that). One call's worth of context, span and call options, kept for the
 * life of the process, keeps them.
 */
let shapeAnchor: ModelCallOptions | undefined;

function anchorShapes(): ModelCallOptions {
  const ctx = new RunContext({ runId: 'shape-anchor' }).withSpan('shape-anchor');
  const span = ctx.tracer.start('model', 'shape-anchor', ctx.spanId);
  return new ModelCallOptions(ctx, { provider: 'shape-anchor', modelId: 'shape-anchor' } as Model, span);
}

export async function callModel(ctx: RunContext, model: Model, request: ModelRequest, name?: string): Promise<ModelResponse> {
  // Durable runs: replay a recorded response or record this one (src/durable/journal.ts).
  if (ctx.journal) return ctx.journal.callModel(ctx, model, request, name);
  shapeAnchor ??= anchorShapes();
  ctx.throwIfAborted();
  if (ctx.budget.capsCost) requirePrices(model);
  ctx.budget.chargeModelTurn();
  const span = ctx.tracer.start('model', name ?? model.modelId, ctx.spanId);
  let response: ModelResponse;
  try {
    response = await model.generate(request, new ModelCallOptions(ctx, model, span));
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
