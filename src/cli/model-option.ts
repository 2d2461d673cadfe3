/** `--model provider:model` and `--base-url` → a Model (undefined = the example's scripted model). */
import type { Command } from 'commander';
import type { Model } from '../core/model.js';
import type { RecordedModel } from '../durable/run.js';
import { createModel, parseModelSpec } from '../models/registry.js';
import { CliError } from './errors.js';

export interface ModelOptions {
  model?: string;
  baseUrl?: string;
}

export function addModelOptions(cmd: Command): Command {
  return cmd
    .option('--model <provider:model>', 'openai:<model>, openai-compatible:<model>, anthropic:<model>, ai-sdk:<package>/<model> (any AI SDK provider) or scripted (default: scripted, offline)')
    .option('--base-url <url>', 'base URL of the provider (openai-compatible servers: vLLM, Ollama, llama.cpp); needs --model');
}

/** The model the options name, as a durable run records it; undefined when no --model was given. */
export function requestedModel(opts: ModelOptions): RecordedModel | undefined {
  if (opts.baseUrl !== undefined && !opts.model) throw new CliError('--base-url needs --model (the provider it points at)');
  if (!opts.model) return undefined;
  if (opts.model === 'scripted' && opts.baseUrl !== undefined) throw new CliError('--base-url does not apply to the scripted model');
  return { spec: opts.model, ...(opts.baseUrl !== undefined ? { baseUrl: opts.baseUrl } : {}) };
}

export async function modelFromOptions(opts: ModelOptions): Promise<Model | undefined> {
  return buildModel(requestedModel(opts));
}

/** A real Model for the spec; undefined for the scripted model (each example builds its own script). */
export async function buildModel(wanted: RecordedModel | undefined): Promise<Model | undefined> {
  if (!wanted || wanted.spec === 'scripted') return undefined;
  try {
    parseModelSpec(wanted.spec);
    return await createModel(wanted.spec, wanted.baseUrl ? { baseUrl: wanted.baseUrl } : {});
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
}

/** "openai-compatible:llama3 at http://…" — how a model is named in messages. */
export function describeModel(m: RecordedModel): string {
  return m.baseUrl ? `${m.spec} at ${m.baseUrl}` : m.spec;
}

export function sameModel(a: RecordedModel, b: RecordedModel): boolean {
  return a.spec === b.spec && (a.baseUrl ?? '') === (b.baseUrl ?? '');
}
