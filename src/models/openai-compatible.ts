/**
 * `openai-compatible:<model>` — Chat Completions against any server that
 * speaks it (vLLM, Ollama, llama.cpp server, LM Studio), through the `openai`
 * SDK pointed at that server. The API key is optional: local servers rarely
 * want one, and without one no Authorization header is sent at all. Images
 * travel as image_url parts, inline PDFs as file parts; tool results are text.
 */
import type OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { ConfigError, ModelError, UnsupportedContent } from '../core/errors.js';
import { dataUrlOf, type Content, type Message, type ToolCall } from '../core/messages.js';
import type { CallOptions, FinishReason, ModelRequest, ModelResponse, StreamEvent, Usage } from '../core/model.js';
import { setting } from './http/call-policy.js';
import { OpenAISdkModel } from './http/openai-sdk.js';
import type { StreamReader } from './http/sdk-model.js';
import type { ModelSpecOptions } from './spec-options.js';
import { StreamState, withReasoning } from './stream-state.js';
import { toUsage } from './usage.js';
import { wireName } from './wire-name.js';

const PROVIDER = 'openai-compatible';

export class OpenAICompatibleModel extends OpenAISdkModel<ChatCompletionCreateParamsNonStreaming, ChatCompletion, ChatCompletionChunk> {
  constructor(modelId: string, options: ModelSpecOptions = {}) {
    if (!modelId) throw new ConfigError('model', 'openai-compatible needs the served model name, e.g. openai-compatible:llama3.1');
    const baseUrl = setting(options.baseUrl, 'OPENAI_COMPATIBLE_BASE_URL');
    if (!baseUrl) {
      throw new ConfigError(
        'baseUrl',
        'openai-compatible needs the server URL: pass baseUrl (--base-url) or set OPENAI_COMPATIBLE_BASE_URL, e.g. http://127.0.0.1:8000/v1',
      );
    }
    super(PROVIDER, modelId, options, setting(options.apiKey, 'OPENAI_COMPATIBLE_API_KEY'), baseUrl);
  }

  prepare(request: ModelRequest): ChatCompletionCreateParamsNonStreaming {
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
    if (request.reasoningEffort !== undefined) params.reasoning_effort = request.reasoningEffort;
    return params;
  }

  protected send(client: OpenAI, params: ChatCompletionCreateParamsNonStreaming, signal: AbortSignal, options: CallOptions | undefined) {
    return client.chat.completions.create(params, this.requestOptions(signal, options)).withResponse();
  }

  protected sendStream(client: OpenAI, params: ChatCompletionCreateParamsNonStreaming, signal: AbortSignal, options: CallOptions | undefined) {
    return client.chat.completions
      .create({ ...params, stream: true, stream_options: { include_usage: true } }, this.requestOptions(signal, options))
      .withResponse();
  }

  protected read(data: ChatCompletion, _params: unknown, requestId: string | undefined): ModelResponse {
    return fromCompletion(data, requestId ?? data.id ?? undefined);
  }

  protected reader(): StreamReader<ChatCompletionChunk> {
    return new ChatStreamReader();
  }
}

export function toChatMessages(messages: readonly Message[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: m.content };
      case 'user':
        return { role: 'user', content: typeof m.content === 'string' ? m.content : chatParts(m.content) };
      case 'assistant':
        return m.toolCalls?.length
          ? {
              role: 'assistant',
              content: m.content || null,
              tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
            }
          : { role: 'assistant', content: m.content };
      case 'tool':
        return { role: 'tool', tool_call_id: m.toolCallId, content: toolText(m.content) };
    }
  });
}

/** User parts: text, image_url (URL or data URL), file (inline data only). */
function chatParts(parts: Exclude<Content, string>): ChatCompletionContentPart[] {
  return parts.map((p): ChatCompletionContentPart => {
    if (p.type === 'text') return { type: 'text', text: p.text };
    if (p.type === 'image') return { type: 'image_url', image_url: { url: dataUrlOf(p) } };
    if (p.url) throw new UnsupportedContent(PROVIDER, `a ${p.mediaType} file by URL`, 'Chat Completions takes files inline only; pass the bytes to file()');
    return { type: 'file', file: { file_data: dataUrlOf(p), filename: p.filename ?? 'document' } };
  });
}

/** Chat Completions tool messages carry text only. */
function toolText(content: Content): string {
  if (typeof content === 'string') return content;
  const media = content.find((p) => p.type !== 'text');
  if (media) throw new UnsupportedContent(PROVIDER, `a ${media.type} (${media.mediaType}) in a tool result`, 'Chat Completions tool results are text only');
  return content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
}

export function fromCompletion(c: ChatCompletion, providerRequestId: string | undefined): ModelResponse {
  const choice = c.choices?.[0];
  if (!choice) throw new ModelError(PROVIDER, 'the server answered with no choices', { requestId: providerRequestId });
  const toolCalls: ToolCall[] = [];
  for (const t of choice.message.tool_calls ?? []) {
    if (t.type === 'function') toolCalls.push({ id: t.id, name: t.function.name, arguments: t.function.arguments ?? '' });
  }
  return withReasoning(
    {
      text: choice.message.content ?? choice.message.refusal ?? '',
      toolCalls,
      usage: usageOf(c.usage),
      finishReason: finishReasonOf(choice.finish_reason, toolCalls.length > 0),
      providerRequestId,
    },
    reasoningOf(choice.message),
  );
}

/** vLLM, Ollama and DeepSeek-style servers return reasoning as `reasoning_content` (some as `reasoning`). */
function reasoningOf(m: object | null | undefined): string | undefined {
  const r = m as { reasoning_content?: unknown; reasoning?: unknown } | null | undefined;
  const text = r?.reasoning_content ?? r?.reasoning;
  return typeof text === 'string' && text ? text : undefined;
}

function usageOf(u: ChatCompletion['usage'] | null | undefined): Usage {
  return toUsage({
    input: u?.prompt_tokens,
    output: u?.completion_tokens,
    cacheRead: u?.prompt_tokens_details?.cached_tokens,
    reasoning: u?.completion_tokens_details?.reasoning_tokens,
  });
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
export class ChatStreamReader extends StreamState implements StreamReader<ChatCompletionChunk> {
  private readonly calls = new Map<number, { id: string; name: string; args: string }>();
  private finishReason: string | null = null;
  private usage: Usage | undefined;
  private id: string | undefined;

  *push(chunk: ChatCompletionChunk, _requestId?: string): Iterable<StreamEvent> {
    this.id ??= chunk.id;
    if (chunk.usage) this.usage = usageOf(chunk.usage);
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const delta = choice.delta;
    const reasoning = reasoningOf(delta);
    if (reasoning) yield this.reasoningDelta(reasoning);
    if (delta?.content) yield this.textDelta(delta.content);
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
      throw new ModelError(PROVIDER, 'stream ended without a finish_reason', { requestId: providerRequestId, retryable: true });
    }
    return withReasoning(
      {
        text: this.text,
        toolCalls: this.toolCalls,
        usage: this.usage ?? { inputTokens: 0, outputTokens: 0 },
        finishReason: finishReasonOf(this.finishReason, this.toolCalls.length > 0),
        providerRequestId,
      },
      this.reasoning,
    );
  }

  private *flushCalls(): Iterable<StreamEvent> {
    const indexes = [...this.calls.keys()].sort((a, b) => a - b);
    for (const i of indexes) {
      const c = this.calls.get(i)!;
      yield this.toolCall({ id: c.id || `call_${i}`, name: c.name, arguments: c.args || '{}' });
    }
    this.calls.clear();
  }
}
