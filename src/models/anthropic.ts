/**
 * `anthropic:<model>` — the Messages API through the official
 * `@anthropic-ai/sdk` (loaded on first use). System prompt, tool_use /
 * tool_result blocks, a max_tokens default, SSE streaming. Structured output
 * is a forced tool: the model must call a tool whose input schema is the
 * output schema, and that input becomes the response's JSON text. When the
 * request also has real tools, the output tool joins them and the model must
 * call one of them (tool_choice "any"), so it can still use tools first.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  Message as AnthropicMessage,
  MessageCreateParamsNonStreaming,
  MessageParam,
  RawMessageStreamEvent,
  Tool as AnthropicTool,
} from '@anthropic-ai/sdk/resources/messages';
import { ConfigError, ModelError } from '../core/errors.js';
import { registerSecret } from '../core/secrets.js';
import type { Message, ToolCall } from '../core/messages.js';
import type { CallOptions, FinishReason, JsonSchema, Model, ModelRequest, ModelResponse, OutputSpec, StreamEvent, Usage } from '../core/model.js';
import { CallPolicy, setting } from './http/call-policy.js';
import { sdkClassifier } from './http/retry.js';
import type { ModelSpecOptions } from './registry.js';
import { loadAnthropic } from './sdk.js';
import { wireName } from './wire-name.js';

type AnthropicModule = typeof import('@anthropic-ai/sdk');

export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/** How the structured output travels: the tool's name, and whether the schema was wrapped into an object. */
interface OutputTool {
  name: string;
  wrapped: boolean;
}

export class AnthropicModel implements Model {
  readonly provider = 'anthropic';
  private readonly apiKey: string;
  private readonly baseUrl: string | undefined;
  private readonly maxTokens: number;
  private readonly policy: CallPolicy;
  private sdk: AnthropicModule | undefined;
  private client: Promise<Anthropic> | undefined;

  constructor(
    readonly modelId: string,
    options: ModelSpecOptions = {},
  ) {
    if (!modelId) throw new ConfigError('model', 'anthropic needs a model name, e.g. anthropic:claude-sonnet-5-5');
    const apiKey = setting(options.apiKey, 'ANTHROPIC_API_KEY');
    if (!apiKey) throw new ConfigError('ANTHROPIC_API_KEY', 'is not set; export it or pass apiKey to use anthropic models');
    if (options.maxOutputTokens !== undefined && !(Number.isInteger(options.maxOutputTokens) && options.maxOutputTokens > 0)) {
      throw new ConfigError('maxOutputTokens', `must be an integer > 0, got ${options.maxOutputTokens}`);
    }
    this.apiKey = apiKey;
    registerSecret(apiKey);
    this.baseUrl = setting(options.baseUrl, 'ANTHROPIC_BASE_URL');
    this.maxTokens = options.maxOutputTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
    this.policy = new CallPolicy(
      this.provider,
      options,
      sdkClassifier('request-id', (e) => this.sdk !== undefined && e instanceof this.sdk.APIConnectionError),
    );
  }

  async generate(request: ModelRequest, options?: CallOptions): Promise<ModelResponse> {
    const client = await this.getClient();
    const { params, output } = this.toParams(request);
    return this.policy.call(
      request,
      options,
      async (signal) => {
        const { data, response } = await client.messages.create(params, { signal, maxRetries: 0 }).withResponse();
        return fromMessage(data, output, response.headers.get('request-id') ?? undefined);
      },
      (r) => r.usage,
    );
  }

  async *stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamEvent> {
    const client = await this.getClient();
    const { params, output } = this.toParams(request);
    let requestId: string | undefined;
    const reader = new MessagesStreamReader(output);
    const events = this.policy.stream<RawMessageStreamEvent>(request, options, async (signal) => {
      const { data, response } = await client.messages.create({ ...params, stream: true }, { signal, maxRetries: 0 }).withResponse();
      requestId = response.headers.get('request-id') ?? undefined;
      return data;
    });
    for await (const event of events) yield* reader.push(event);
    const response = reader.finish(requestId);
    this.policy.settleStream(request, response.usage);
    yield { type: 'finish', response };
  }

  toParams(request: ModelRequest): { params: MessageCreateParamsNonStreaming; output: OutputTool | undefined } {
    const { system, messages } = toAnthropicMessages(request.messages);
    const params: MessageCreateParamsNonStreaming = {
      model: this.modelId,
      max_tokens: request.maxOutputTokens ?? this.maxTokens,
      messages,
    };
    if (system) params.system = system;
    // temperature is not sent: this Messages API version has no such parameter.
    const tools: AnthropicTool[] = (request.tools ?? []).map((t) => ({
      name: t.name,
      description: t.description,
      input_schema: t.parameters as AnthropicTool.InputSchema,
    }));
    let output: OutputTool | undefined;
    if (request.output) {
      const taken = new Set(tools.map((t) => t.name));
      const spec = outputToolFor(request.output, taken);
      output = { name: spec.name, wrapped: spec.wrapped };
      tools.push(spec.tool);
      params.tool_choice = tools.length === 1 ? { type: 'tool', name: spec.name } : { type: 'any' };
    }
    if (tools.length) params.tools = tools;
    return { params, output };
  }

  private getClient(): Promise<Anthropic> {
    return (this.client ??= loadAnthropic().then((sdk) => {
      this.sdk = sdk;
      return new sdk.Anthropic({ apiKey: this.apiKey, baseURL: this.baseUrl ?? null, maxRetries: 0 });
    }));
  }
}

function outputToolFor(output: OutputSpec, taken: Set<string>): { name: string; wrapped: boolean; tool: AnthropicTool } {
  // 60, not 64: room for the "_" suffixes that keep it apart from the real tools' names.
  let name = wireName(output.name, 60);
  while (taken.has(name)) name = `${name}_`;
  // Tool inputs are JSON objects: any other root (array, string) travels as { value }.
  const wrapped = output.schema.type !== 'object';
  const schema: JsonSchema = wrapped
    ? { type: 'object', properties: { value: output.schema }, required: ['value'], additionalProperties: false }
    : output.schema;
  return {
    name,
    wrapped,
    tool: {
      name,
      description: 'Give your final answer by calling this tool exactly once, with the answer as its input. Call it only when you are done.',
      input_schema: schema as AnthropicTool.InputSchema,
    },
  };
}

/** System messages go to `system`; tool results ride in user turns; same-role neighbours merge (the API wants alternation). */
export function toAnthropicMessages(messages: readonly Message[]): { system: string | undefined; messages: MessageParam[] } {
  const system: string[] = [];
  const out: { role: 'user' | 'assistant'; content: ContentBlockParam[] }[] = [];
  const add = (role: 'user' | 'assistant', blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    switch (m.role) {
      case 'system':
        system.push(m.content);
        break;
      case 'user':
        add('user', [{ type: 'text', text: m.content }]);
        break;
      case 'assistant': {
        const blocks: ContentBlockParam[] = m.content ? [{ type: 'text', text: m.content }] : [];
        for (const c of m.toolCalls ?? []) blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: parseArgs(c.arguments) });
        add('assistant', blocks);
        break;
      }
      case 'tool':
        add('user', [{ type: 'tool_result', tool_use_id: m.toolCallId, content: m.content, ...(m.isError ? { is_error: true } : {}) }]);
        break;
    }
  }
  // A lone text block reads better on the wire (and in provider logs) as a plain string.
  const params: MessageParam[] = out.map((m) =>
    m.content.length === 1 && m.content[0]!.type === 'text' ? { role: m.role, content: m.content[0]!.text } : m,
  );
  return { system: system.length ? system.join('\n\n') : undefined, messages: params };
}

function parseArgs(args: string): Record<string, unknown> {
  try {
    const v = JSON.parse(args) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function fromMessage(m: AnthropicMessage, output: OutputTool | undefined, providerRequestId: string | undefined): ModelResponse {
  let text = '';
  let structured: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of m.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') {
      if (output && block.name === output.name) structured = outputText(block.input, output);
      else toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  // Real tool calls come first; the structured answer is the final one.
  if (structured !== undefined && toolCalls.length === 0) {
    return { text: structured, toolCalls, usage: usageOf(m.usage), finishReason: 'stop', providerRequestId };
  }
  return { text, toolCalls, usage: usageOf(m.usage), finishReason: finishReasonOf(m.stop_reason, toolCalls.length > 0), providerRequestId };
}

function outputText(input: unknown, output: OutputTool): string {
  return JSON.stringify(output.wrapped ? (input as { value?: unknown } | null)?.value ?? null : input);
}

function usageOf(u: { input_tokens?: number | null; output_tokens?: number | null; cache_creation_input_tokens?: number | null; cache_read_input_tokens?: number | null } | undefined): Usage {
  // Cached input is still input: the three counts add up to what the request sent.
  return {
    inputTokens: (u?.input_tokens ?? 0) + (u?.cache_creation_input_tokens ?? 0) + (u?.cache_read_input_tokens ?? 0),
    outputTokens: u?.output_tokens ?? 0,
  };
}

function finishReasonOf(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'tool_use':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

/**
 * Messages SSE events → StreamEvents: text deltas as they come, each tool_use
 * once its input JSON (assembled from input_json_delta pieces) is complete,
 * the structured-output tool's input as text, usage from message_start and
 * message_delta.
 */
export class MessagesStreamReader {
  private text = '';
  private structured: string | undefined;
  private readonly toolCalls: ToolCall[] = [];
  private readonly blocks = new Map<number, { kind: 'tool' | 'output'; id: string; name: string; json: string }>();
  private inputUsage: Usage = { inputTokens: 0, outputTokens: 0 };
  private outputTokens = 0;
  private stopReason: string | null = null;
  private stopped = false;

  constructor(private readonly output: OutputTool | undefined) {}

  *push(event: RawMessageStreamEvent): Iterable<StreamEvent> {
    switch (event.type) {
      case 'message_start':
        this.inputUsage = usageOf(event.message.usage);
        this.outputTokens = event.message.usage?.output_tokens ?? 0;
        break;
      case 'content_block_start': {
        const b = event.content_block;
        if (b.type === 'text' && b.text) {
          this.text += b.text;
          yield { type: 'text-delta', delta: b.text };
        } else if (b.type === 'tool_use') {
          const kind = this.output && b.name === this.output.name ? 'output' : 'tool';
          this.blocks.set(event.index, { kind, id: b.id, name: b.name, json: '' });
        }
        break;
      }
      case 'content_block_delta': {
        const d = event.delta;
        if (d.type === 'text_delta') {
          this.text += d.text;
          yield { type: 'text-delta', delta: d.text };
        } else if (d.type === 'input_json_delta') {
          const b = this.blocks.get(event.index);
          if (!b) break;
          b.json += d.partial_json;
          // An object-rooted answer streams as it is written; a wrapped one waits for the end.
          if (b.kind === 'output' && !this.output!.wrapped && d.partial_json) yield { type: 'text-delta', delta: d.partial_json };
        }
        break;
      }
      case 'content_block_stop': {
        const b = this.blocks.get(event.index);
        if (!b) break;
        this.blocks.delete(event.index);
        if (b.kind === 'output') {
          const input = b.json ? parseJson(b.json) : {};
          this.structured = outputText(input, this.output!);
          if (this.output!.wrapped) yield { type: 'text-delta', delta: this.structured };
        } else {
          const call: ToolCall = { id: b.id, name: b.name, arguments: b.json || '{}' };
          this.toolCalls.push(call);
          yield { type: 'tool-call', call };
        }
        break;
      }
      case 'message_delta':
        if (event.delta.stop_reason) this.stopReason = event.delta.stop_reason;
        this.outputTokens = event.usage.output_tokens;
        if (event.usage.input_tokens != null) this.inputUsage = usageOf({ ...event.usage, output_tokens: 0 });
        break;
      case 'message_stop':
        this.stopped = true;
        break;
    }
  }

  finish(requestId: string | undefined): ModelResponse {
    if (!this.stopped) throw new ModelError('anthropic', 'stream ended before message_stop', { requestId, retryable: true });
    const usage: Usage = { inputTokens: this.inputUsage.inputTokens, outputTokens: this.outputTokens };
    if (this.structured !== undefined && this.toolCalls.length === 0) {
      return { text: this.structured, toolCalls: [], usage, finishReason: 'stop', providerRequestId: requestId };
    }
    return {
      text: this.text,
      toolCalls: this.toolCalls,
      usage,
      finishReason: finishReasonOf(this.stopReason, this.toolCalls.length > 0),
      providerRequestId: requestId,
    };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ModelError('anthropic', `structured output is not valid JSON: ${text.slice(0, 200)}`);
  }
}
