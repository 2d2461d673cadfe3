/**
 * `fallback([primary, secondary, …])` — a Model that moves to the next model
 * when one fails for good after its own retries on a transient failure (429,
 * 5xx, timeout, connection error), never on a request the provider rejected
 * (400 and other 4xx), an unsupported part, or a refusal (an answer, not a
 * failure). A stream moves on only before its first event has reached the
 * caller: after that, text already delivered cannot be taken back. The
 * response's `route` names the model that served and why each one before it
 * did not; callModel puts both on the model span and prices the one that served.
 */
import { ConfigError, errorMessage, ModelError } from '../core/errors.js';
import type { CallOptions, Model, ModelRequest, ModelResponse, ModelRoute, StreamEvent } from '../core/model.js';

export interface FallbackOptions {
  /** Whether a failure moves on to the next model (default: a retryable ModelError, i.e. 429, 5xx, timeout, connection). */
  on?: (error: unknown) => boolean;
}

export function fallback(models: readonly Model[], options: FallbackOptions = {}): Model {
  return new FallbackModel(models, options.on ?? isTransient);
}

/** The default: the provider's own verdict, after its retries, that the failure was transient. */
export function isTransient(error: unknown): boolean {
  return error instanceof ModelError && error.retryable;
}

type Skipped = ModelRoute['skipped'];

class FallbackModel implements Model {
  readonly provider = 'fallback';
  readonly modelId: string;
  readonly routes: readonly Model[];

  constructor(
    models: readonly Model[],
    private readonly movesOn: (error: unknown) => boolean,
  ) {
    if (models.length === 0) throw new ConfigError('fallback', 'needs at least one model');
    this.routes = [...models];
    this.modelId = models.map((m) => `${m.provider}:${m.modelId}`).join(',');
  }

  async generate(request: ModelRequest, options?: CallOptions): Promise<ModelResponse> {
    const skipped: Skipped = [];
    for (let i = 0; ; i++) {
      const model = this.routes[i]!;
      try {
        return routed(await model.generate(request, options), model, skipped);
      } catch (err) {
        this.skipOrThrow(err, i, model, skipped, options);
      }
    }
  }

  async *stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamEvent> {
    const skipped: Skipped = [];
    for (let i = 0; ; i++) {
      const model = this.routes[i]!;
      let delivered = false;
      try {
        for await (const event of model.stream(request, options)) {
          delivered = true;
          yield event.type === 'finish' ? { type: 'finish', response: routed(event.response, model, skipped) } : event;
        }
        return;
      } catch (err) {
        if (delivered) throw err;
        this.skipOrThrow(err, i, model, skipped, options);
      }
    }
  }

  /** Records why `model` did not serve, or rethrows when the chain must stop here. */
  private skipOrThrow(err: unknown, index: number, model: Model, skipped: Skipped, options: CallOptions | undefined): void {
    if (options?.signal?.aborted || index === this.routes.length - 1 || !this.movesOn(err)) throw err;
    skipped.push({ provider: model.provider, modelId: model.modelId, error: errorMessage(err) });
  }
}

/** The response with its route; a nested fallback's own route joins ours. */
function routed(response: ModelResponse, model: Model, skipped: Skipped): ModelResponse {
  const inner = response.route;
  const servedBy = inner?.servedBy ?? { provider: model.provider, modelId: model.modelId };
  return { ...response, route: { servedBy, skipped: inner ? [...skipped, ...inner.skipped] : [...skipped] } };
}
