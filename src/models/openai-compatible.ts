/**
 * `openai-compatible:<model>` — Chat Completions against any server that
 * speaks it (vLLM, Ollama, llama.cpp server, LM Studio), through the `openai`
 * SDK pointed at that server. The API key is optional: local servers rarely
 * want one, and without one no Authorization header is sent at all.
 */
import type OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { ConfigError, ModelError } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import type { Message, ToolCall } from '../core/messages.js';
import type { CallOptions, FinishReason, Model, ModelRequest, ModelResponse, StreamEvent, Usage } from '../core/model.js';
import { CallPolicy, setting } from './http/call-policy.js';
import { sdkClassifier } from './http/retry.js';
import type { ModelSpecOptions } from './registry.js';
import { loadOpenAI } from './sdk.js';
import { wireName } from './wire-name.js';

type OpenAIModule = typeof import('openai');

export class OpenAICompatibleModel implements Model {
  readonly provider = 'openai-compatible';
  private readonly apiKey: string | undefined;
  private readonly baseUrl: string;
  private readonly policy: CallPolicy;
  private readonly defaultMaxTokens: number | undefined;
  private sdk: OpenAIModule | undefined;
  private client: Promise<OpenAI> | undefined;

  constructor(
    readonly modelId: string,
    options: ModelSpecOptions = {},
  ) {
    if (!modelId) throw new ConfigError('model', 'openai-compatible needs the served model name, e.g. openai-compatible:llama3.1');
    const baseUrl = setting(options.baseUrl, 'OPENAI_COMPATIBLE_BASE_URL');
    if (!baseUrl) {
      throw new ConfigError(
        'baseUrl',
        'openai-compatible needs the server URL: pass baseUrl (--base-url) or set OPENAI_COMPATIBLE_BASE_URL, e.g. http://127.0.0.1:8000/v1',
      );
    }
    this.baseUrl = baseUrl;
    this.apiKey = setting(options.apiKey, 'OPENAI_COMPATIBLE_API_KEY');
    registerSecret(this.apiKey);
    this.defaultMaxTokens = options.maxOutputTokens;
    this.policy = new CallPolicy(
      this.provider,
      options,
      sdkClassifier('x-request-id', (e) => this.sdk !== undefined && e instanceof this.sdk.APIConnectionError),
    );
  }

  async generate(request: ModelRequest, options?: CallOptions): Promise<ModelResponse> {
    const client = await this.getClient();
    const params = this.toParams(request);
    return this.policy.call(
      request,
      options,
      async (signal) => {
        const { data, response } = await client.chat.completions.create(params, { signal, maxRetries: 0 }).withResponse();
        return fromCompletion(data, response.headers.get('x-request-id') ?? data.id ?? undefined);
      },
      (r) => r.usage,
    );
  }

  async *stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamEvent> {
    const client = await this.getClient();
    const params = { ...this.toParams(request), stream: true as const, stream_options: { include_usage: true } };
    let requestId: string | undefined;
    const reader = new ChatStreamReader();
    const chunks = this.policy.stream<ChatCompletionChunk>(request, options, async (signal) => {
      const { data, response } = await client.chat.completions.create(params, { signal, maxRetries: 0 }).withResponse();
      requestId = response.headers.get('x-request-id') ?? undefined;
      return data;
    });
    for await (const chunk of chunks) yield* reader.push(chunk);
    const response = reader.finish(requestId);
    this.policy.settleStream(request, response.usage);
    yield { type: 'finish', response };
  }

  toParams(request: ModelRequest): ChatCompletionCreateParamsNonStreaming {
    const params: ChatCompletionCreateParamsNonStreaming = { model: this.modelId, messages: toChatMessages(request.messages) };
    if (request.tools?.length) {
      params.tools = request.tools.map(
        (t): ChatCompletionTool => ({
          type: 'function',
          // `strict` only when true: some servers reject fields they do not know.
          function: { name: t.name, description: t.description, parameters: t.parameters, ...(t.strict ? { strict: true } : {}) },
        }),
      );
    }
    if (request.output) {
      params.response_format = {
        type: 'json_schema',
        json_schema: { name: wireName(request.output.name), schema: request.output.schema, strict: request.output.strict },
      };
    }
    if (request.temperature !== undefined) params.temperature = request.temperature;
    const maxTokens = request.maxOutputTokens ?? this.defaultMaxTokens;
    if (maxTokens !== undefined) params.max_tokens = maxTokens;
    return params;
  }

  private getClient(): Promise<OpenAI> {
    return (this.client ??= loadOpenAI('openai-compatible').then((sdk) => {
      this.sdk = sdk;
      return new sdk.OpenAI({
        // The SDK insists on a key; without one we send none (the header is removed below).
        apiKey: this.apiKey ?? 'unused',
        baseURL: this.baseUrl,
        maxRetries: 0,
        ...(this.apiKey ? {} : { defaultHeaders: { Authorization: null } }),
      });
    }));
  }
}

export function toChatMessages(messages: readonly Message[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
      case 'user':
        return { role: m.role, content: m.content };
      case 'assistant':
        return m.toolCalls?.length
          ? {
              role: 'assistant',
              content: m.content || null,
              tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
            }
          : { role: 'assistant', content: m.content };
      case 'tool':
        return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    }
  });
}

export function fromCompletion(c: ChatCompletion, providerRequestId: string | undefined): ModelResponse {
  const choice = c.choices?.[0];
  if (!choice) throw new ModelError('openai-compatible', 'the server answered with no choices', { requestId: providerRequestId });
  const toolCalls: ToolCall[] = [];
  for (const t of choice.message.tool_calls ?? []) {
    if (t.type === 'function') toolCalls.push({ id: t.id, name: t.function.name, arguments: t.function.arguments ?? '' });
  }
  return {
    text: choice.message.content ?? choice.message.refusal ?? '',
    toolCalls,
    usage: usageOf(c.usage),
    finishReason: finishReasonOf(choice.finish_reason, toolCalls.length > 0),
    providerRequestId,
  };
}

function usageOf(u: { prompt_tokens?: number; completion_tokens?: number } | null | undefined): Usage {
  return { inputTokens: u?.prompt_tokens ?? 0, outputTokens: u?.completion_tokens ?? 0 };
}

function finishReasonOf(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case 'stop':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'other';
  }
}

/**
 * Chat Completions chunks → StreamEvents. Tool calls arrive as fragments keyed
 * by `index` (id and name first, then argument pieces); each is emitted whole
 * when the choice finishes. Usage comes in the last chunk (include_usage).
 */
export class ChatStreamReader {
  private text = '';
  private readonly calls = new Map<number, { id: string; name: string; args: string }>();
  private readonly emitted: ToolCall[] = [];
  private finishReason: string | null = null;
  private usage: Usage | undefined;
  private id: string | undefined;

  *push(chunk: ChatCompletionChunk): Iterable<StreamEvent> {
    this.id ??= chunk.id;
    if (chunk.usage) this.usage = usageOf(chunk.usage);
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const delta = choice.delta;
    if (delta?.content) {
      this.text += delta.content;
      yield { type: 'text-delta', delta: delta.content };
    }
    for (const t of delta?.tool_calls ?? []) {
      let call = this.calls.get(t.index);
      if (!call) this.calls.set(t.index, (call = { id: '', name: '', args: '' }));
      if (t.id) call.id = t.id;
      if (t.function?.name) call.name += t.function.name;
      if (t.function?.arguments) call.args += t.function.arguments;
    }
    if (choice.finish_reason) {
      this.finishReason = choice.finish_reason;
      yield* this.flushCalls();
    }
  }

  finish(requestId: string | undefined): ModelResponse {
    const providerRequestId = requestId ?? this.id;
    if (this.finishReason === null) {
      throw new ModelError('openai-compatible', 'stream ended without a finish_reason', { requestId: providerRequestId, retryable: true });
    }
    return {
      text: this.text,
      toolCalls: this.emitted,
      usage: this.usage ?? { inputTokens: 0, outputTokens: 0 },
      finishReason: finishReasonOf(this.finishReason, this.emitted.length > 0),
      providerRequestId,
    };
  }

  private *flushCalls(): Iterable<StreamEvent> {
    const indexes = [...this.calls.keys()].sort((a, b) => a - b);
    for (const i of indexes) {
      const c = this.calls.get(i)!;
      const call: ToolCall = { id: c.id || `call_${i}`, name: c.name, arguments: c.args || '{}' };
      this.emitted.push(call);
      yield { type: 'tool-call', call };
    }
    this.calls.clear();
  }
}
