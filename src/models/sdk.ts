/**
 * The provider SDKs are optional peers, imported on first use. A missing one
 * is a ModelError that names the package and version to install, raised when
 * the model is created (createModel) rather than at its first call.
 */
import { ModelError } from '../core/errors.js';

type OpenAIModule = typeof import('openai');
type AnthropicModule = typeof import('@anthropic-ai/sdk');

let openai: Promise<OpenAIModule> | undefined;
let anthropic: Promise<AnthropicModule> | undefined;

export function loadOpenAI(provider: 'openai' | 'openai-compatible'): Promise<OpenAIModule> {
  openai ??= import('openai').catch(forget(() => (openai = undefined)));
  return openai.catch(installHint(provider, 'openai', '^6.30.1'));
}

export function loadAnthropic(): Promise<AnthropicModule> {
  anthropic ??= import('@anthropic-ai/sdk').catch(forget(() => (anthropic = undefined)));
  return anthropic.catch(installHint('anthropic', '@anthropic-ai/sdk', '^1.13.0'));
}

/** A failed import is not cached: installing the package fixes the next attempt. */
function forget(reset: () => void): (err: unknown) => never {
  return (err) => {
    reset();
    throw err;
  };
}

/** The package's peer range from package.json, so the hint installs a version this code works with. */
function installHint(provider: string, pkg: string, range: string): (err: unknown) => never {
  return (err) => {
    const code = (err as { code?: string } | undefined)?.code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
    throw new ModelError(provider, `this provider needs the ${pkg} package: npm install ${pkg}@${range}`, { cause: err });
  };
}
