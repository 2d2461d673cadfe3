/**
 * `openai:<model>` — the OpenAI Responses API through the official `openai`
 * SDK (loaded on first use). Function tools (strict when the schema allows),
 * strict json_schema structured output, images and files as input_image /
 * input_file, reasoning effort and summaries, prompt_cache_key, SSE
 * streaming. The SDK's retries are off: CallPolicy retries, rate-limits and
 * times out every attempt.
 */
import type OpenAI from 'openai';
import type {
  FunctionTool,
  Response,
  ResponseCreateParamsNonStreaming,
  ResponseFunctionCallOutputItemList,
  ResponseInputItem,
  ResponseInputMessageContentList,
  ResponseStreamEvent,
} from 'openai/resources/responses/responses';
import { ConfigError, ModelError, UnsupportedContent } from '../core/errors.js';
import { dataUrlOf, type Content, type Message, type MediaPart, type ToolCall } from '../core/messages.js';
import type { CallOptions, FinishReason, ModelRequest, ModelResponse, StreamEvent, Usage } from '../core/model.js';
import { setting } from './http/call-policy.js';
import { OpenAISdkModel } from './http/openai-sdk.js';
import type { StreamReader } from './http/sdk-model.js';
import type { ModelSpecOptions } from './spec-options.js';
import { StreamState, withReasoning } from './stream-state.js';
import { toUsage } from './usage.js';
import { wireName } from './wire-name.js';

export class OpenAIResponsesModel extends OpenAISdkModel<ResponseCreateParamsNonStreaming, Response, ResponseStreamEvent> {
  private readonly promptCacheKey: string | undefined;

  constructor(modelId: string, options: ModelSpecOptions = {}) {
    if (!modelId) throw new ConfigError('model', 'openai needs a model name, e.g. openai:gpt-4o');
    const apiKey = setting(options.apiKey, 'OPENAI_API_KEY');
    if (!apiKey) throw new ConfigError('OPENAI_API_KEY', 'is not set; export it or pass apiKey to use openai models');
    super('openai', modelId, options, apiKey, setting(options.baseUrl, 'OPENAI_BASE_URL'));
    this.promptCacheKey = options.promptCacheKey;
  }

  /** The Responses API request for a provider-neutral one. */
  prepare(request: ModelRequest): ResponseCreateParamsNonStreaming {
    const { instructions, input } = toResponsesInput(request.messages);
    const params: ResponseCreateParamsNonStreaming = { model: this.modelId, input };
    if (instructions !== undefined) params.instructions = instructions;
    if (request.tools?.length) {
      params.tools = request.tools.map(
        (t): FunctionTool => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters, strict: t.strict }),
      );
    }
    if (request.output) {
      params.text = {
        format: { type: 'json_schema', name: wireName(request.output.name), schema: request.output.schema, strict: request.output.strict },
      };
    }
    if (request.temperature !== undefined) params.temperature = request.temperature;
    const maxTokens = request.maxOutputTokens ?? this.defaultMaxTokens;
    if (maxTokens !== undefined) params.max_output_tokens = maxTokens;
    if (request.reasoningEffort !== undefined) params.reasoning = { effort: request.reasoningEffort, summary: 'auto' };
    if (this.promptCacheKey !== undefined) params.prompt_cache_key = this.promptCacheKey;
    return params;
  }

  protected send(client: OpenAI, params: ResponseCreateParamsNonStreaming, signal: AbortSignal, options: CallOptions | undefined) {
    return client.responses.create(params, this.requestOptions(signal, options)).withResponse();
  }

  protected sendStream(client: OpenAI, params: ResponseCreateParamsNonStreaming, signal: AbortSignal, options: CallOptions | undefined) {
    return client.responses.create({ ...params, stream: true }, this.requestOptions(signal, options)).withResponse();
  }

  protected read(data: Response, _params: unknown, requestId: string | undefined): ModelResponse {
    return fromResponse(data, requestId);
  }

  protected reader(): StreamReader<ResponseStreamEvent> {
    return new ResponsesStreamReader();
  }
}

/** Leading system messages become `instructions`; the rest maps item by item. */
export function toResponsesInput(messages: readonly Message[]): { instructions?: string; input: ResponseInputItem[] } {
  const system: string[] = [];
  let i = 0;
  for (; i < messages.length && messages[i]!.role === 'system'; i++) system.push(messages[i]!.content as string);
  const input: ResponseInputItem[] = [];
  for (; i < messages.length; i++) {
    const m = messages[i]!;
    switch (m.role) {
      case 'system':
        input.push({ role: 'system', content: m.content });
        break;
      case 'user':
        input.push({ role: 'user', content: typeof m.content === 'string' ? m.content : inputContent(m.content) });
        break;
      case 'assistant':
        if (m.content) input.push({ role: 'assistant', content: m.content });
        for (const c of m.toolCalls ?? []) input.push({ type: 'function_call', call_id: c.id, name: c.name, arguments: c.arguments });
        break;
      case 'tool':
        input.push({ type: 'function_call_output', call_id: m.toolCallId, output: typeof m.content === 'string' ? m.content : (inputContent(m.content) as ResponseFunctionCallOutputItemList) });
        break;
    }
  }
  return system.length ? { instructions: system.join('\n\n'), input } : { input };
}

/** Parts as Responses input content: input_text, input_image (URL or data URL), input_file (URL or base64 with a filename). */
function inputContent(parts: Exclude<Content, string>): ResponseInputMessageContentList {
  return parts.map((p) => {
    if (p.type === 'text') return { type: 'input_text', text: p.text };
    if (p.type === 'image') return { type: 'input_image', detail: 'auto', image_url: dataUrlOf(p) };
    return p.url ? { type: 'input_file', file_url: p.url } : { type: 'input_file', filename: fileName(p), file_data: dataUrlOf(p) };
  });
}

function fileName(p: MediaPart): string {
  if (p.filename) return p.filename;
  if (p.mediaType === 'application/pdf') return 'document.pdf';
  throw new UnsupportedContent('openai', `a ${p.mediaType} file without a filename`, 'the Responses API needs a filename for inline files; pass one to file()');
}

export function fromResponse(r: Response, providerRequestId: string | undefined): ModelResponse {
  if (r.status === 'failed') {
    throw new ModelError('openai', `response failed: ${r.error?.message ?? 'no reason given'}`, { requestId: providerRequestId, retryable: false });
  }
  let text = '';
  let reasoning = '';
  let refused = false;
  const toolCalls: ToolCall[] = [];
  for (const item of r.output ?? []) {
    if (item.type === 'reasoning') {
      for (const s of item.summary ?? []) reasoning += s.text;
    } else if (item.type === 'message') {
      for (const part of item.content) {
        if (part.type === 'output_text') text += part.text;
        else if (part.type === 'refusal') {
          text += part.refusal;
          refused = true;
        }
      }
    } else if (item.type === 'function_call') {
      toolCalls.push({ id: item.call_id, name: item.name, arguments: item.arguments });
    }
  }
  return withReasoning({ text, toolCalls, usage: usageOf(r), finishReason: finishReasonOf(r, toolCalls.length > 0, refused), providerRequestId }, reasoning);
}

/** Cached input and reasoning output are parts of the totals, reported apart for pricing. */
function usageOf({ usage: u }: Response): Usage {
  return toUsage({
    input: u?.input_tokens,
    output: u?.output_tokens,
    cacheRead: u?.input_tokens_details?.cached_tokens,
    reasoning: u?.output_tokens_details?.reasoning_tokens,
  });
}

function finishReasonOf(r: Response, hasToolCalls: boolean, refused: boolean): FinishReason {
  if (r.status === 'incomplete') {
    const reason = r.incomplete_details?.reason;
    return reason === 'max_output_tokens' ? 'length' : reason === 'content_filter' ? 'content_filter' : 'other';
  }
  if (refused) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

/**
 * Turns Responses SSE events into StreamEvents: text deltas as they come,
 * each function call once its arguments are complete (assembled from the
 * argument deltas), and the final usage and status from response.completed.
 */
export class ResponsesStreamReader extends StreamState implements StreamReader<ResponseStreamEvent> {
  private readonly pending = new Map<string, { callId: string; name: string; args: string }>();
  private final: Response | undefined;

  *push(event: ResponseStreamEvent, requestId: string | undefined): Iterable<StreamEvent> {
    switch (event.type) {
      case 'response.output_text.delta':
        yield this.textDelta(event.delta);
        break;
      case 'response.reasoning_summary_text.delta':
        yield this.reasoningDelta(event.delta);
        break;
      case 'response.output_item.added':
        if (event.item.type === 'function_call') {
          this.pending.set(event.item.id ?? event.item.call_id, { callId: event.item.call_id, name: event.item.name, args: event.item.arguments ?? '' });
        }
        break;
      case 'response.function_call_arguments.delta': {
        const p = this.pending.get(event.item_id);
        if (p) p.args += event.delta;
        break;
      }
      case 'response.function_call_arguments.done': {
        const p = this.pending.get(event.item_id);
        if (p) p.args = event.arguments;
        break;
      }
      case 'response.output_item.done':
        if (event.item.type === 'function_call') {
          const key = event.item.id ?? event.item.call_id;
          const p = this.pending.get(key);
          this.pending.delete(key);
          yield this.toolCall({ id: event.item.call_id, name: event.item.name, arguments: p?.args || event.item.arguments });
        }
        break;
      case 'response.completed':
      case 'response.incomplete':
        this.final = event.response;
        break;
      case 'response.failed':
        throw new ModelError('openai', `response failed: ${event.response.error?.message ?? 'no reason given'}`, { requestId });
      case 'error':
        throw new ModelError('openai', `stream error: ${event.message}${event.code ? ` (${event.code})` : ''}`, { requestId });
    }
  }

  finish(requestId: string | undefined): ModelResponse {
    if (!this.final) throw new ModelError('openai', 'stream ended before response.completed', { requestId, retryable: true });
    const fromFinal = fromResponse(this.final, requestId);
    return withReasoning(
      {
        text: this.text || fromFinal.text,
        toolCalls: this.toolCalls.length ? this.toolCalls : fromFinal.toolCalls,
        usage: fromFinal.usage,
        finishReason: fromFinal.finishReason,
        providerRequestId: requestId,
      },
      this.reasoning || fromFinal.reasoning,
    );
  }
}
