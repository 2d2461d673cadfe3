/** `--model provider:model` and `--base-url` → a Model (undefined = the example's scripted model). */
import type { Command } from 'commander';
import type { Model } from '../core/model.js';
import { createModel, parseModelSpec } from '../models/registry.js';
import { CliError } from './errors.js';

export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--model <provider:model>', 'openai:<model>, openai-compatible:<model>, anthropic:<model>, ai-sdk:<package>/<model> (any AI SDK provider) or scripted (default: scripted, offline)')
    .option('--base-url <url>', 'base URL of the provider (openai-compatible servers: vLLM, Ollama, llama.cpp)');
}

export async function modelFromOptions(opts: { model?: string; baseUrl?: string }): Promise<Model | undefined> {
  if (!opts.model || opts.model === 'scripted') return undefined;
  try {
    parseModelSpec(opts.model);
    return await createModel(opts.model, opts.baseUrl ? { baseUrl: opts.baseUrl } : {});
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}
