/**
 * The part of the skeleton both OpenAI-SDK providers share (Responses and
 * Chat Completions): the `openai` package loaded on first use, one client
 * with the SDK's retries off, our request id as X-Client-Request-Id.
 */
import type OpenAI from 'openai';
import type { CallOptions } from '../../core/model.js';
import { registerSecret } from '../../core/secrets.js';
import { loadOpenAI } from '../sdk.js';
import type { ModelSpecOptions } from '../spec-options.js';
import { SdkModel } from './sdk-model.js';

type OpenAIModule = typeof import('openai');

export abstract class OpenAISdkModel<Prepared, Data, Chunk> extends SdkModel<OpenAIModule, OpenAI, Prepared, Data, Chunk> {
  declare readonly provider: 'openai' | 'openai-compatible';

  constructor(
    provider: 'openai' | 'openai-compatible',
    modelId: string,
    options: ModelSpecOptions,
    /** Without a key no Authorization header is sent at all (local servers rarely want one). */
    private readonly apiKey: string | undefined,
    private readonly baseUrl: string | undefined,
  ) {
    super(provider, modelId, options, 'x-request-id');
    registerSecret(apiKey);
  }

  protected loadSdk(): Promise<OpenAIModule> {
    return loadOpenAI(this.provider);
  }

  protected newClient(sdk: OpenAIModule): OpenAI {
    return new sdk.OpenAI({
      // The SDK insists on a key; without one we send none (the header is removed below).
      apiKey: this.apiKey ?? 'unused',
      baseURL: this.baseUrl ?? null,
      maxRetries: 0,
      ...(this.apiKey ? {} : { defaultHeaders: { Authorization: null } }),
    });
  }

  /** Per-request SDK options: the attempt's signal, no SDK retries, our request id. */
  protected requestOptions(signal: AbortSignal, options: CallOptions | undefined): OpenAI.RequestOptions {
    return { signal, maxRetries: 0, headers: options?.requestId ? { 'X-Client-Request-Id': options.requestId } : undefined };
  }
}
