// Placeholder until the provider is written: fails with a clear error.
import { ConfigError } from '../core/errors.js';
import type { CallOptions, Model, ModelRequest, ModelResponse, StreamEvent } from '../core/model.js';
import type { ModelSpecOptions } from './registry.js';

export class AnthropicModel implements Model {
  readonly provider = 'anthropic';
  constructor(readonly modelId: string, _options: ModelSpecOptions = {}) {}
  generate(_r: ModelRequest, _o?: CallOptions): Promise<ModelResponse> {
    throw new ConfigError('model', 'anthropic is not built yet');
  }
  stream(_r: ModelRequest, _o?: CallOptions): AsyncIterable<StreamEvent> {
    throw new ConfigError('model', 'anthropic is not built yet');
  }
}
