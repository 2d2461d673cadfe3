/**
 * `fromAiSdk(languageModel)` — any model of the Vercel AI SDK provider
 * specification (LanguageModelV3, as the current @ai-sdk/* packages implement
 * it, and V2) as our Model: @ai-sdk/google, amazon-bedrock, mistral, groq and
 * the rest work with every pattern, under our budgets, traces, retries and
 * rate limits. The AI SDK's own retries live in `generateText`, not in the
 * model, so every attempt here is ours (CallPolicy), as with our own providers.
 */
import type {
  LanguageModelV2,
  LanguageModelV2Usage,
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Content,
  LanguageModelV3FilePart,
  LanguageModelV3GenerateResult,
  LanguageModelV3Message,
  LanguageModelV3StreamPart,
  LanguageModelV3TextPart,
  LanguageModelV3ToolResultOutput,
  LanguageModelV3Usage,
} from '@ai-sdk/provider';
import { ConfigError, ModelError, UnsupportedContent } from '../core/errors.js';
import type { Content, ContentPart, Message, ToolCall } from '../core/messages.js';
import type { CallOptions, FinishReason, Model, ModelRequest, ModelResponse, StreamEvent, Usage } from '../core/model.js';
import { CallPolicy } from './http/call-policy.js';
import { isRetryableStatus, parseRetryAfter, type Classify } from './http/retry.js';
import { registerSecret } from '../core/secrets.js';
import type { ModelSpecOptions } from './spec-options.js';
import { StreamState, withReasoning } from './stream-state.js';
import { toUsage } from './usage.js';

/** A language model of the AI SDK provider specification, version 3 or 2. */
export type AiSdkLanguageModel = LanguageModelV3 | LanguageModelV2;

/** Retry, timeout and rate-limit settings (the transport itself is the AI SDK provider's). */
export type AiSdkModelOptions = Pick<
  ModelSpecOptions,
  'maxRetries' | 'timeoutMs' | 'retryBaseDelayMs' | 'retryMaxDelayMs' | 'maxRetryAfterMs' | 'requestsPerMinute' | 'tokensPerMinute' | 'rateLimiter' | 'maxOutputTokens'
>;

export function fromAiSdk(model: AiSdkLanguageModel, options: AiSdkModelOptions = {}): Model {
  return new AiSdkModel(model, options);
}

// Structural views shared by V2 and V3 (the two differ in usage, finish reason and tool-result media).
type SpecModel = {
  readonly specificationVersion: 'v2' | 'v3';
  doGenerate(o: LanguageModelV3CallOptions): PromiseLike<LanguageModelV3GenerateResult>;
  doStream(o: LanguageModelV3CallOptions): PromiseLike<{ stream: ReadableStream<LanguageModelV3StreamPart>; response?: { headers?: Record<string, string> } }>;
};

export class AiSdkModel implements Model {
  readonly provider: string;
  readonly modelId: string;
  private readonly policy: CallPolicy;
  private readonly spec: SpecModel;

  constructor(
    readonly languageModel: AiSdkLanguageModel,
    private readonly options: AiSdkModelOptions = {},
  ) {
    this.spec = languageModel as unknown as SpecModel;
    // "openai.responses", "anthropic.messages", "google.generative-ai": the part before the dot names the provider.
    this.provider = languageModel.provider.split('.')[0]!;
    this.modelId = languageModel.modelId;
    this.policy = new CallPolicy(`ai-sdk:${languageModel.provider}`, options, classifyAiSdkError);
  }

  async generate(request: ModelRequest, options?: CallOptions): Promise<ModelResponse> {
    const call = this.callOptions(request, options);
    return this.policy.call(
      request,
      options,
      async (signal) => fromGenerateResult(await this.spec.doGenerate({ ...call, abortSignal: signal }), this.spec.specificationVersion),
      (r) => r.usage,
    );
  }

  async *stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamEvent> {
    const call = this.callOptions(request, options);
    const reader = new AiSdkStreamReader(this.spec.specificationVersion, this.policy.provider);
    const parts = this.policy.stream<LanguageModelV3StreamPart>(request, options, async (signal) => {
      const result = await this.spec.doStream({ ...call, abortSignal: signal });
      reader.requestId = requestIdOf(result.response?.headers);
      return iterate(result.stream);
    });
    for await (const part of parts) yield* reader.push(part);
    const response = reader.finish();
    this.policy.settleStream(request, response.usage);
    yield { type: 'finish', response };
  }

  /** The spec's call options for our request (throws UnsupportedContent before any request). */
  callOptions(request: ModelRequest, options?: CallOptions): LanguageModelV3CallOptions {
    const call: LanguageModelV3CallOptions = { prompt: toPrompt(request.messages, this.spec.specificationVersion, this.provider) };
    if (request.tools?.length) {
      call.tools = request.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, inputSchema: t.parameters, ...(t.strict ? { strict: true } : {}) }));
    }
    if (request.output) call.responseFormat = { type: 'json', schema: request.output.schema, name: request.output.name };
    if (request.temperature !== undefined) call.temperature = request.temperature;
    const maxTokens = request.maxOutputTokens ?? this.options.maxOutputTokens;
    if (maxTokens !== undefined) call.maxOutputTokens = maxTokens;
    // The spec has no common reasoning option: most providers read `reasoningEffort` from their own options.
    if (request.reasoningEffort !== undefined) call.providerOptions = { [this.provider]: { reasoningEffort: request.reasoningEffort, reasoningSummary: 'auto' } };
    if (options?.requestId) call.headers = { 'X-Client-Request-Id': options.requestId };
    return call;
  }
}

function toPrompt(messages: readonly Message[], version: 'v2' | 'v3', provider: string): LanguageModelV3Message[] {
  return messages.map((m): LanguageModelV3Message => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: m.content };
      case 'user':
        return { role: 'user', content: typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content.map(promptPart) };
      case 'assistant': {
        const content: Extract<LanguageModelV3Message, { role: 'assistant' }>['content'] = m.content ? [{ type: 'text', text: m.content }] : [];
        for (const c of m.toolCalls ?? []) content.push({ type: 'tool-call', toolCallId: c.id, toolName: c.name, input: parseInput(c.arguments) });
        return { role: 'assistant', content };
      }
      case 'tool':
        return {
          role: 'tool',
          content: [{ type: 'tool-result', toolCallId: m.toolCallId, toolName: m.toolName, output: toolOutput(m.content, m.isError, version, provider) }],
        };
    }
  });
}

function promptPart(p: ContentPart): LanguageModelV3TextPart | LanguageModelV3FilePart {
  if (p.type === 'text') return { type: 'text', text: p.text };
  return { type: 'file', mediaType: p.mediaType, data: p.url ? new URL(p.url) : (p.data ?? ''), ...(p.filename ? { filename: p.filename } : {}) };
}

function toolOutput(content: Content, isError: boolean | undefined, version: 'v2' | 'v3', provider: string): LanguageModelV3ToolResultOutput {
  if (typeof content === 'string') return { type: isError ? 'error-text' : 'text', value: content };
  if (version === 'v2') {
    // V2 carries inline media only, as { type: 'media' }.
    return {
      type: 'content',
      value: content.map((p) => {
        if (p.type === 'text') return { type: 'text', text: p.text };
        if (p.url) throw new UnsupportedContent(`ai-sdk:${provider}`, `a ${p.type} by URL in a tool result`, 'LanguageModelV2 tool results take inline media only');
        return { type: 'media', data: p.data ?? '', mediaType: p.mediaType };
      }),
    } as unknown as LanguageModelV3ToolResultOutput;
  }
  return {
    type: 'content',
    value: content.map((p) => {
      if (p.type === 'text') return { type: 'text', text: p.text };
      if (p.type === 'image') return p.url ? { type: 'image-url', url: p.url } : { type: 'image-data', data: p.data ?? '', mediaType: p.mediaType };
      return p.url ? { type: 'file-url', url: p.url, mediaType: p.mediaType } : { type: 'file-data', data: p.data ?? '', mediaType: p.mediaType, ...(p.filename ? { filename: p.filename } : {}) };
    }),
  };
}

function parseInput(args: string): unknown {
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return {};
  }
}

function fromGenerateResult(r: LanguageModelV3GenerateResult, version: 'v2' | 'v3'): ModelResponse {
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const c of r.content as LanguageModelV3Content[]) {
    if (c.type === 'text') text += c.text;
    else if (c.type === 'reasoning') reasoning += c.text;
    else if (c.type === 'tool-call' && !c.providerExecuted) toolCalls.push({ id: c.toolCallId, name: c.toolName, arguments: c.input });
  }
  return withReasoning(
    {
      text,
      toolCalls,
      usage: usageOf(r.usage, version),
      finishReason: finishReasonOf(r.finishReason, toolCalls.length > 0),
      providerRequestId: requestIdOf(r.response?.headers) ?? r.response?.id,
    },
    reasoning,
  );
}

function usageOf(u: LanguageModelV3Usage | LanguageModelV2Usage | undefined, version: 'v2' | 'v3'): Usage {
  if (!u) return { inputTokens: 0, outputTokens: 0 };
  if (version === 'v2') {
    const v2 = u as LanguageModelV2Usage;
    return toUsage({ input: v2.inputTokens, output: v2.outputTokens, cacheRead: v2.cachedInputTokens, reasoning: v2.reasoningTokens });
  }
  const v3 = u as LanguageModelV3Usage;
  return toUsage({
    input: v3.inputTokens.total,
    output: v3.outputTokens.total,
    cacheRead: v3.inputTokens.cacheRead,
    cacheWrite: v3.inputTokens.cacheWrite,
    reasoning: v3.outputTokens.reasoning,
  });
}

function finishReasonOf(reason: LanguageModelV3GenerateResult['finishReason'] | string | undefined, hasToolCalls: boolean): FinishReason {
  // V3 gives { unified, raw }, V2 the unified string itself.
  const unified = typeof reason === 'string' ? reason : reason?.unified;
  switch (unified) {
    case 'stop':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'tool-calls':
      return 'tool_calls';
    case 'length':
      return 'length';
    case 'content-filter':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'other';
  }
}

function requestIdOf(headers: Record<string, string | undefined> | undefined): string | undefined {
  return headers?.['x-request-id'] ?? headers?.['request-id'] ?? undefined;
}

/** Stream parts → StreamEvents; tool calls arrive whole in the spec ('tool-call' after its input deltas). */
class AiSdkStreamReader extends StreamState {
  requestId: string | undefined;
  private responseId: string | undefined;
  private usage: Usage | undefined;
  private finishReason: LanguageModelV3GenerateResult['finishReason'] | undefined;

  constructor(
    private readonly version: 'v2' | 'v3',
    private readonly provider: string,
  ) {
    super();
  }

  *push(part: LanguageModelV3StreamPart): Iterable<StreamEvent> {
    switch (part.type) {
      case 'text-delta':
        yield this.textDelta(part.delta);
        break;
      case 'reasoning-delta':
        yield this.reasoningDelta(part.delta);
        break;
      case 'tool-call':
        if (!part.providerExecuted) yield this.toolCall({ id: part.toolCallId, name: part.toolName, arguments: part.input });
        break;
      case 'response-metadata':
        this.responseId ??= part.id;
        break;
      case 'finish':
        this.usage = usageOf(part.usage, this.version);
        this.finishReason = part.finishReason;
        break;
      case 'error':
        throw part.error instanceof Error ? part.error : new ModelError(this.provider, `stream error: ${JSON.stringify(part.error)}`);
    }
  }

  finish(): ModelResponse {
    const providerRequestId = this.requestId ?? this.responseId;
    if (!this.usage) throw new ModelError(this.provider, 'stream ended before its finish part', { requestId: providerRequestId, retryable: true });
    return withReasoning(
      { text: this.text, toolCalls: this.toolCalls, usage: this.usage, finishReason: finishReasonOf(this.finishReason, this.toolCalls.length > 0), providerRequestId },
      this.reasoning,
    );
  }
}

async function* iterate<T>(stream: ReadableStream<T>): AsyncGenerator<T> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

interface ApiCallErrorLike {
  name?: string;
  message?: string;
  statusCode?: number;
  isRetryable?: boolean;
  responseHeaders?: Record<string, string>;
}

/**
 * The spec's APICallError carries statusCode, responseHeaders and the
 * provider's own isRetryable verdict (true for connection failures too).
 */
export const classifyAiSdkError: Classify = (err) => {
  const e = (err ?? {}) as ApiCallErrorLike;
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  const headers = e.responseHeaders;
  const get = { get: (name: string) => headers?.[name] ?? null };
  if (typeof e.statusCode === 'number') {
    return {
      retryable: isRetryableStatus(e.statusCode),
      message,
      status: e.statusCode,
      requestId: requestIdOf(headers),
      retryAfterMs: parseRetryAfter(get),
    };
  }
  if (e.name === 'AI_APICallError' && e.isRetryable) return { retryable: true, message: `connection failed: ${message}` };
  return { retryable: false, message };
};

/**
 * `ai-sdk:<package>/<model-id>` (the CLI's --model, createModel): the package's
 * provider instance (`google`, `mistral`…; with a base URL or key, its
 * `create…` factory) gives the language model. `ai-sdk:google/gemini-2.5-flash`
 * is short for `ai-sdk:@ai-sdk/google/gemini-2.5-flash`. A package that is not
 * installed is a ConfigError that says what to install.
 */
export async function aiSdkModelFromSpec(spec: string, options: ModelSpecOptions = {}): Promise<Model> {
  const { pkg, modelId } = parseAiSdkSpec(spec);
  registerSecret(options.apiKey);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pkg)) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new ConfigError('model', `ai-sdk:${pkg}/${modelId} needs the package ${pkg}: npm install ${pkg}`);
  }
  const provider = options.baseUrl || options.apiKey ? fromFactory(mod, pkg, options) : defaultInstance(mod, pkg);
  return fromAiSdk(provider.languageModel(modelId), options);
}

interface ProviderLike {
  languageModel(modelId: string): AiSdkLanguageModel;
}

const isProvider = (v: unknown): v is ProviderLike => (typeof v === 'function' || (typeof v === 'object' && v !== null)) && typeof (v as ProviderLike).languageModel === 'function';

function defaultInstance(mod: Record<string, unknown>, pkg: string): ProviderLike {
  const instance = Object.entries(mod).find(([name, v]) => !name.startsWith('create') && isProvider(v))?.[1];
  if (!instance) throw new ConfigError('model', `${pkg} exports no AI SDK provider instance; build the model in code and pass it to fromAiSdk()`);
  return instance as ProviderLike;
}

function fromFactory(mod: Record<string, unknown>, pkg: string, options: ModelSpecOptions): ProviderLike {
  const factory = Object.entries(mod).find(([name, v]) => name.startsWith('create') && typeof v === 'function')?.[1] as ((s: object) => unknown) | undefined;
  const provider = factory?.({ ...(options.baseUrl ? { baseURL: options.baseUrl } : {}), ...(options.apiKey ? { apiKey: options.apiKey } : {}) });
  if (!isProvider(provider)) throw new ConfigError('model', `${pkg} exports no create…() provider factory; build the model in code and pass it to fromAiSdk()`);
  return provider;
}

export function parseAiSdkSpec(spec: string): { pkg: string; modelId: string } {
  const rest = spec.replace(/^ai-sdk:/, '');
  const parts = rest.split('/');
  const scoped = rest.startsWith('@');
  const pkg = scoped ? parts.slice(0, 2).join('/') : `@ai-sdk/${parts[0]}`;
  const modelId = parts.slice(scoped ? 2 : 1).join('/');
  if (!parts[0] || (scoped && !parts[1]) || !modelId) {
    throw new ConfigError('model', `"${spec}" is not ai-sdk:<package>/<model-id>, e.g. ai-sdk:@ai-sdk/google/gemini-2.5-flash or ai-sdk:mistral/mistral-large-latest`);
  }
  return { pkg, modelId };
}
