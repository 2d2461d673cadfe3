/**
 * `openai:<model>` — the OpenAI Responses API through the official `openai`
 * SDK (loaded on first use). Function tools (strict when the schema allows),
 * strict json_schema structured output, SSE streaming. The SDK's retries are
 * off: CallPolicy retries, rate-limits and times out every attempt.
 */
import type OpenAI from 'openai';
import type {
  FunctionTool,
  Response,
  ResponseCreateParamsNonStreaming,
  ResponseInputItem,
  ResponseStreamEvent,
} from 'openai/resources/responses/responses';
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

export class OpenAIResponsesModel implements Model {
  readonly provider = 'openai';
  private readonly apiKey: string;
  private readonly baseUrl: string | undefined;
  private readonly policy: CallPolicy;
  private readonly defaultMaxTokens: number | undefined;
  private sdk: OpenAIModule | undefined;
  private client: Promise<OpenAI> | undefined;

  constructor(
    readonly modelId: string,
    options: ModelSpecOptions = {},
  ) {
    if (!modelId) throw new ConfigError('model', 'openai needs a model name, e.g. openai:gpt-4o');
    const apiKey = setting(options.apiKey, 'OPENAI_API_KEY');
    if (!apiKey) throw new ConfigError('OPENAI_API_KEY', 'is not set; export it or pass apiKey to use openai models');
    this.apiKey = apiKey;
    registerSecret(apiKey);
    this.baseUrl = setting(options.baseUrl, 'OPENAI_BASE_URL');
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
        const { data, response } = await client.responses
          .create(params, { signal, maxRetries: 0, headers: clientRequestHeader(options) })
          .withResponse();
        return fromResponse(data, response.headers.get('x-request-id') ?? undefined);
      },
      (r) => r.usage,
    );
  }

  async *stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamEvent> {
    const client = await this.getClient();
    const params = { ...this.toParams(request), stream: true as const };
    let requestId: string | undefined;
    const reader = new ResponsesStreamReader();
    const events = this.policy.stream<ResponseStreamEvent>(request, options, async (signal) => {
      const { data, response } = await client.responses
        .create(params, { signal, maxRetries: 0, headers: clientRequestHeader(options) })
        .withResponse();
      requestId = response.headers.get('x-request-id') ?? undefined;
      return data;
    });
    for await (const event of events) yield* reader.push(event, requestId);
    const response = reader.finish(requestId);
    this.policy.settleStream(request, response.usage);
    yield { type: 'finish', response };
  }

  /** The Responses API request for a provider-neutral one (exported for tests through the class). */
  toParams(request: ModelRequest): ResponseCreateParamsNonStreaming {
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
    return params;
  }

  private getClient(): Promise<OpenAI> {
    return (this.client ??= loadOpenAI('openai').then((sdk) => {
      this.sdk = sdk;
      return new sdk.OpenAI({ apiKey: this.apiKey, baseURL: this.baseUrl ?? null, maxRetries: 0 });
    }));
  }
}

function clientRequestHeader(options: CallOptions | undefined): Record<string, string> | undefined {
  return options?.requestId ? { 'X-Client-Request-Id': options.requestId } : undefined;
}

/** Leading system messages become `instructions`; the rest maps item by item. */
export function toResponsesInput(messages: readonly Message[]): { instructions?: string; input: ResponseInputItem[] } {
  const system: string[] = [];
  let i = 0;
  for (; i < messages.length && messages[i]!.role === 'system'; i++) system.push(messages[i]!.content);
  const input: ResponseInputItem[] = [];
  for (; i < messages.length; i++) {
    const m = messages[i]!;
    switch (m.role) {
      case 'system':
      case 'user':
        input.push({ role: m.role, content: m.content });
        break;
      case 'assistant':
        if (m.content) input.push({ role: 'assistant', content: m.content });
        for (const c of m.toolCalls ?? []) input.push({ type: 'function_call', call_id: c.id, name: c.name, arguments: c.arguments });
        break;
      case 'tool':
        input.push({ type: 'function_call_output', call_id: m.toolCallId, output: m.content });
        break;
    }
  }
  return system.length ? { instructions: system.join('\n\n'), input } : { input };
}

export function fromResponse(r: Response, providerRequestId: string | undefined): ModelResponse {
  if (r.status === 'failed') {
    throw new ModelError('openai', `response failed: ${r.error?.message ?? 'no reason given'}`, { requestId: providerRequestId, retryable: false });
  }
  let text = '';
  let refused = false;
  const toolCalls: ToolCall[] = [];
  for (const item of r.output ?? []) {
    if (item.type === 'message') {
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
  return { text, toolCalls, usage: usageOf(r), finishReason: finishReasonOf(r, toolCalls.length > 0, refused), providerRequestId };
}

function usageOf(r: Response): Usage {
  return { inputTokens: r.usage?.input_tokens ?? 0, outputTokens: r.usage?.output_tokens ?? 0 };
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
export class ResponsesStreamReader {
  private text = '';
  private readonly toolCalls: ToolCall[] = [];
  private readonly pending = new Map<string, { callId: string; name: string; args: string }>();
  private final: Response | undefined;

  *push(event: ResponseStreamEvent, requestId: string | undefined): Iterable<StreamEvent> {
    switch (event.type) {
      case 'response.output_text.delta':
        this.text += event.delta;
        yield { type: 'text-delta', delta: event.delta };
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
          const call: ToolCall = { id: event.item.call_id, name: event.item.name, arguments: p?.args || event.item.arguments };
          this.toolCalls.push(call);
          yield { type: 'tool-call', call };
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
    return {
      text: this.text || fromFinal.text,
      toolCalls: this.toolCalls.length ? this.toolCalls : fromFinal.toolCalls,
      usage: fromFinal.usage,
      finishReason: fromFinal.finishReason,
      providerRequestId: requestId,
    };
  }
}
