/**
 * "provider:model" → a Model. Real providers are imported on demand, so
 * their SDKs stay optional peer dependencies.
 */
import { ConfigError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import type { ModelSpecOptions } from './spec-options.js';
import { loadAnthropic, loadOpenAI } from './sdk.js';

export type { ModelSpecOptions };

export const PROVIDERS = ['openai', 'openai-compatible', 'anthropic', 'ai-sdk', 'scripted'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export function parseModelSpec(spec: string): { provider: ProviderName; model: string } {
  const i = spec.indexOf(':');
  const provider = (i < 0 ? spec : spec.slice(0, i)) as ProviderName;
  const model = i < 0 ? '' : spec.slice(i + 1);
  if (!PROVIDERS.includes(provider)) {
    throw new ConfigError('model', `unknown provider "${provider}" in "${spec}"; use one of ${PROVIDERS.join(', ')} as provider:model`);
  }
  if (provider !== 'scripted' && !model) throw new ConfigError('model', `"${spec}" names no model; write ${provider}:<model>`);
  return { provider, model };
}

/**
 * Builds a real provider model from "provider:model". Its SDK loads here, so a missing one fails now with an
 * install hint. The scripted model needs a script, so examples build it themselves.
 */
export async function createModel(spec: string, options: ModelSpecOptions = {}): Promise<Model> {
  const { provider, model } = parseModelSpec(spec);
  switch (provider) {
    case 'openai': {
      await loadOpenAI(provider);
      const { OpenAIResponsesModel } = await import('./openai.js');
      return new OpenAIResponsesModel(model, options);
    }
    case 'openai-compatible': {
      await loadOpenAI(provider);
      const { OpenAICompatibleModel } = await import('./openai-compatible.js');
      return new OpenAICompatibleModel(model, options);
    }
    case 'anthropic': {
      await loadAnthropic();
      const { AnthropicModel } = await import('./anthropic.js');
      return new AnthropicModel(model, options);
    }
    case 'ai-sdk': {
      const { aiSdkModelFromSpec } = await import('./ai-sdk.js');
      return aiSdkModelFromSpec(model, options);
    }
    case 'scripted':
      throw new ConfigError('model', 'the scripted model is built from a script: use scripted(...) in code, or omit --model for an example');
  }
}
