/**
 * `anthropic:<model>` — the Messages API through the official
 * `@anthropic-ai/sdk` (loaded on first use). System prompt, tool_use /
 * tool_result blocks, image and document blocks, prompt-cache breakpoints, a
 * max_tokens default, reasoning effort, SSE streaming. Structured output
 * is a forced tool: the model must call a tool whose input schema is the
 * output schema, and that input becomes the response's JSON text. When the
 * request also has real tools, the output tool joins them and the model must
 * call one of them (tool_choice "any"), so it can still use tools first.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  ImageBlockParam,
  DocumentBlockParam,
  Message as AnthropicMessage,
  MessageCreateParamsNonStreaming,
  MessageParam,
  RawMessageStreamEvent,
  TextBlockParam,
  Tool as AnthropicTool,
} from '@anthropic-ai/sdk/resources/messages';
import { ConfigError, ModelError, UnsupportedContent } from '../core/errors.js';
import type { Content, MediaPart, Message, ToolCall } from '../core/messages.js';
import { registerSecret } from '../core/secrets.js';
import type { CallOptions, FinishReason, JsonSchema, ModelRequest, ModelResponse, OutputSpec, StreamEvent, Usage } from '../core/model.js';
import { setting } from './http/call-policy.js';
import { SdkModel, type StreamReader } from './http/sdk-model.js';
import { loadAnthropic } from './sdk.js';
import type { ModelSpecOptions } from './spec-options.js';
import { StreamState, withReasoning } from './stream-state.js';
import { toUsage } from './usage.js';
import { wireName } from './wire-name.js';

type AnthropicModule = typeof import('@anthropic-ai/sdk');

export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;
/** Earliest messages marked as cacheable by default (the task, stable across an agent's turns). */
export const DEFAULT_CACHED_MESSAGES = 1;

/** How the structured output travels: the tool's name, and whether the schema was wrapped into an object. */
interface OutputTool {
  name: string;
  wrapped: boolean;
}

interface Prepared {
  params: MessageCreateParamsNonStreaming;
  output: OutputTool | undefined;
}

export class AnthropicModel extends SdkModel<AnthropicModule, Anthropic, Prepared, AnthropicMessage, RawMessageStreamEvent> {
  private readonly apiKey: string;
  private readonly baseUrl: string | undefined;
  private readonly maxTokens: number;
  /** Earliest messages to mark cacheable; undefined: prompt caching off. */
  private readonly cachedMessages: number | undefined;

  constructor(modelId: string, options: ModelSpecOptions = {}) {
    if (!modelId) throw new ConfigError('model', 'anthropic needs a model name, e.g. anthropic:claude-sonnet-5-5');
    const apiKey = setting(options.apiKey, 'ANTHROPIC_API_KEY');
    if (!apiKey) throw new ConfigError('ANTHROPIC_API_KEY', 'is not set; export it or pass apiKey to use anthropic models');
    if (options.maxOutputTokens !== undefined && !(Number.isInteger(options.maxOutputTokens) && options.maxOutputTokens > 0)) {
      throw new ConfigError('maxOutputTokens', `must be an integer > 0, got ${options.maxOutputTokens}`);
    }
    super('anthropic', modelId, options, 'request-id');
    this.apiKey = apiKey;
    registerSecret(apiKey);
    this.baseUrl = setting(options.baseUrl, 'ANTHROPIC_BASE_URL');
    this.maxTokens = options.maxOutputTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
    this.cachedMessages = cachedMessagesOf(options.promptCache);
  }

  prepare(request: ModelRequest): Prepared {
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
    if (request.reasoningEffort !== undefined) {
      params.output_config = { effort: request.reasoningEffort === 'minimal' ? 'low' : request.reasoningEffort };
    }
    if (this.cachedMessages !== undefined) markCacheBreakpoints(params, this.cachedMessages);
    return { params, output };
  }

  protected loadSdk(): Promise<AnthropicModule> {
    return loadAnthropic();
  }

  protected newClient(sdk: AnthropicModule): Anthropic {
    return new sdk.Anthropic({ apiKey: this.apiKey, baseURL: this.baseUrl ?? null, maxRetries: 0 });
  }

  protected send(client: Anthropic, { params }: Prepared, signal: AbortSignal) {
    return client.messages.create(params, { signal, maxRetries: 0 }).withResponse();
  }

  protected sendStream(client: Anthropic, { params }: Prepared, signal: AbortSignal) {
    return client.messages.create({ ...params, stream: true }, { signal, maxRetries: 0 }).withResponse();
  }

  protected read(data: AnthropicMessage, { output }: Prepared, requestId: string | undefined): ModelResponse {
    return fromMessage(data, output, requestId);
  }

  protected reader({ output }: Prepared): StreamReader<RawMessageStreamEvent> {
    return new MessagesStreamReader(output);
  }
}

function cachedMessagesOf(option: ModelSpecOptions['promptCache']): number | undefined {
  if (option === false) return undefined;
  const n = typeof option === 'object' && option.messages !== undefined ? option.messages : DEFAULT_CACHED_MESSAGES;
  if (!(Number.isInteger(n) && n >= 0)) throw new ConfigError('promptCache.messages', `must be an integer >= 0, got ${n}`);
  return n;
}

/** The API honours at most four breakpoints per request. */
const MAX_BREAKPOINTS = 4;

/**
 * cache_control on the last block of each stable piece: the system prompt, the
 * tool list, and the first `messages` messages (as many as the four-breakpoint
 * limit leaves). Everything up to a breakpoint is cached and read back at the
 * cache rate on the next request with the same prefix.
 */
function markCacheBreakpoints(params: MessageCreateParamsNonStreaming, messages: number): void {
  const ephemeral = { type: 'ephemeral' as const };
  let used = 0;
  if (params.system) {
    const blocks: TextBlockParam[] = typeof params.system === 'string' ? [{ type: 'text', text: params.system }] : params.system;
    blocks[blocks.length - 1] = { ...blocks[blocks.length - 1]!, cache_control: ephemeral };
    params.system = blocks;
    used++;
  }
  if (params.tools?.length) {
    const last = params.tools.length - 1;
    params.tools[last] = { ...params.tools[last]!, cache_control: ephemeral } as AnthropicTool;
    used++;
  }
  const count = Math.min(messages, MAX_BREAKPOINTS - used, params.messages.length);
  for (let i = 0; i < count; i++) {
    const m = params.messages[i]!;
    const blocks: ContentBlockParam[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : [...m.content];
    blocks[blocks.length - 1] = { ...blocks[blocks.length - 1]!, cache_control: ephemeral } as ContentBlockParam;
    params.messages[i] = { ...m, content: blocks } as MessageParam;
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
        add('user', typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content.map(block));
        break;
      case 'assistant': {
        const blocks: ContentBlockParam[] = m.content ? [{ type: 'text', text: m.content }] : [];
        for (const c of m.toolCalls ?? []) blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: parseArgs(c.arguments) });
        add('assistant', blocks);
        break;
      }
      case 'tool':
        add('user', [{ type: 'tool_result', tool_use_id: m.toolCallId, content: toolResultContent(m.content), ...(m.isError ? { is_error: true } : {}) }]);
        break;
    }
  }
  // A lone text block reads better on the wire (and in provider logs) as a plain string.
  const params: MessageParam[] = out.map((m) =>
    m.content.length === 1 && m.content[0]!.type === 'text' ? { role: m.role, content: m.content[0]!.text } : m,
  );
  return { system: system.length ? system.join('\n\n') : undefined, messages: params };
}

type MediaBlock = ImageBlockParam | DocumentBlockParam;
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

function block(p: Exclude<Content, string>[number]): TextBlockParam | MediaBlock {
  return p.type === 'text' ? { type: 'text', text: p.text } : mediaBlock(p);
}

function toolResultContent(content: Content): string | (TextBlockParam | MediaBlock)[] {
  return typeof content === 'string' ? content : content.map(block);
}

/** Images (jpeg, png, gif, webp) become image blocks; PDFs and plain text document blocks; by URL or inline. */
function mediaBlock(p: MediaPart): MediaBlock {
  if (p.type === 'image') {
    if (p.url) return { type: 'image', source: { type: 'url', url: p.url } };
    if (!IMAGE_TYPES.has(p.mediaType)) throw new UnsupportedContent('anthropic', `an image of type ${p.mediaType}`, 'images must be jpeg, png, gif or webp');
    return { type: 'image', source: { type: 'base64', media_type: p.mediaType as 'image/png', data: p.data ?? '' } };
  }
  if (p.mediaType === 'application/pdf') {
    return p.url ? { type: 'document', source: { type: 'url', url: p.url } } : { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: p.data ?? '' } };
  }
  if (p.mediaType === 'text/plain' && p.data !== undefined) {
    return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: Buffer.from(p.data, 'base64').toString('utf8') } };
  }
  throw new UnsupportedContent('anthropic', `a ${p.mediaType} file${p.url ? ' by URL' : ''}`, 'documents must be PDF (inline or URL) or inline text/plain');
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
  let reasoning = '';
  let structured: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of m.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'thinking') reasoning += block.thinking;
    else if (block.type === 'tool_use') {
      if (output && block.name === output.name) structured = outputText(block.input, output);
      else toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  // Real tool calls come first; the structured answer is the final one.
  return withReasoning(
    structured !== undefined && toolCalls.length === 0
      ? { text: structured, toolCalls, usage: usageOf(m.usage), finishReason: 'stop', providerRequestId }
      : { text, toolCalls, usage: usageOf(m.usage), finishReason: finishReasonOf(m.stop_reason, toolCalls.length > 0), providerRequestId },
    reasoning,
  );
}

function outputText(input: unknown, output: OutputTool): string {
  return JSON.stringify(output.wrapped ? (input as { value?: unknown } | null)?.value ?? null : input);
}

interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number } | null;
}

function usageOf(u: WireUsage | undefined): Usage {
  // Cached input is still input: the three counts add up to what the request sent, and the
  // cached parts are reported apart so they are priced at the cache rates.
  const read = u?.cache_read_input_tokens ?? 0;
  const write = u?.cache_creation_input_tokens ?? 0;
  return toUsage({
    input: (u?.input_tokens ?? 0) + write + read,
    output: u?.output_tokens,
    cacheRead: read,
    cacheWrite: write,
    reasoning: u?.output_tokens_details?.thinking_tokens,
  });
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
export class MessagesStreamReader extends StreamState implements StreamReader<RawMessageStreamEvent> {
  private reasoningTokens: number | undefined;
  private structured: string | undefined;
  private readonly blocks = new Map<number, { kind: 'tool' | 'output'; id: string; name: string; json: string }>();
  private inputUsage: Usage = { inputTokens: 0, outputTokens: 0 };
  private outputTokens = 0;
  private stopReason: string | null = null;
  private stopped = false;

  constructor(private readonly output: OutputTool | undefined) {
    super();
  }

  *push(event: RawMessageStreamEvent, _requestId?: string): Iterable<StreamEvent> {
    switch (event.type) {
      case 'message_start':
        this.inputUsage = usageOf(event.message.usage);
        this.outputTokens = event.message.usage?.output_tokens ?? 0;
        break;
      case 'content_block_start': {
        const b = event.content_block;
        if (b.type === 'text' && b.text) {
          yield this.textDelta(b.text);
        } else if (b.type === 'tool_use') {
          const kind = this.output && b.name === this.output.name ? 'output' : 'tool';
          this.blocks.set(event.index, { kind, id: b.id, name: b.name, json: '' });
        }
        break;
      }
      case 'content_block_delta': {
        const d = event.delta;
        if (d.type === 'text_delta') {
          yield this.textDelta(d.text);
        } else if (d.type === 'thinking_delta') {
          yield this.reasoningDelta(d.thinking);
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
          yield this.toolCall({ id: b.id, name: b.name, arguments: b.json || '{}' });
        }
        break;
      }
      case 'message_delta':
        if (event.delta.stop_reason) this.stopReason = event.delta.stop_reason;
        this.outputTokens = event.usage.output_tokens;
        this.reasoningTokens = (event.usage as WireUsage).output_tokens_details?.thinking_tokens ?? this.reasoningTokens;
        if (event.usage.input_tokens != null) this.inputUsage = usageOf({ ...event.usage, output_tokens: 0 });
        break;
      case 'message_stop':
        this.stopped = true;
        break;
    }
  }

  finish(requestId: string | undefined): ModelResponse {
    if (!this.stopped) throw new ModelError('anthropic', 'stream ended before message_stop', { requestId, retryable: true });
    const usage: Usage = { ...this.inputUsage, outputTokens: this.outputTokens };
    if (this.reasoningTokens) usage.reasoningTokens = this.reasoningTokens;
    return withReasoning(
      this.structured !== undefined && this.toolCalls.length === 0
        ? { text: this.structured, toolCalls: [], usage, finishReason: 'stop', providerRequestId: requestId }
        : { text: this.text, toolCalls: this.toolCalls, usage, finishReason: finishReasonOf(this.stopReason, this.toolCalls.length > 0), providerRequestId: requestId },
      this.reasoning,
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ModelError('anthropic', `structured output is not valid JSON: ${text.slice(0, 200)}`);
  }
}
