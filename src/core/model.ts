/**
 * The provider interface (after the AI SDK's): one `generate` and one
 * `stream`, both over provider-neutral messages. Budget, tracing and cost are
 * not the provider's concern: `callModel` wraps every call with them.
 */
import type { Message, ToolCall } from './messages.js';

export type JsonSchema = Record<string, unknown>;

export interface ToolSpec {
  name: string;
  description: string;
  parameters: JsonSchema;
  /** True when the schema satisfies strict-mode rules (every property required, no extras). */
  strict: boolean;
}

export interface OutputSpec {
  name: string;
  schema: JsonSchema;
  strict: boolean;
}

export interface ModelRequest {
  messages: Message[];
  tools?: ToolSpec[];
  /** Ask for a JSON object matching this schema (structured output). */
  output?: OutputSpec;
  temperature?: number;
  maxOutputTokens?: number;
  /** How hard a reasoning model thinks (OpenAI reasoning.effort, Anthropic output_config.effort); ignored elsewhere. */
  reasoningEffort?: ReasoningEffort;
}

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

export interface Usage {
  /** All input tokens, cached ones included. */
  inputTokens: number;
  /** All output tokens, reasoning ones included. */
  outputTokens: number;
  /** Of the input: read from the provider's prompt cache (priced at its cache-read rate). */
  cacheReadTokens?: number;
  /** Of the input: written to the prompt cache (priced at its cache-write rate). */
  cacheWriteTokens?: number;
  /** Of the output: spent on hidden reasoning. */
  reasoningTokens?: number;
}

export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'other';

export interface ModelResponse {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  finishReason: FinishReason;
  /** The reasoning summary a reasoning model returned, when it returned one. */
  reasoning?: string;
  /** The provider's own request id (x-request-id / request-id header), for incident lookups. */
  providerRequestId?: string;
  /** Set by models that route to others (fallback): who served, and why the ones before did not. Priced as `servedBy`. */
  route?: ModelRoute;
}

export interface ModelRoute {
  servedBy: { provider: string; modelId: string };
  skipped: { provider: string; modelId: string; error: string }[];
}

export type StreamEvent =
  | { type: 'text-delta'; delta: string }
  | { type: 'reasoning-delta'; delta: string }
  | { type: 'tool-call'; call: ToolCall }
  | { type: 'finish'; response: ModelResponse };

/** A retry about to happen after a failed attempt (what `onRetry` is told). */
export interface RetryInfo {
  /** The retry about to happen: 1 for the first retry. */
  attempt: number;
  status?: number;
  delayMs: number;
  error: string;
}

export interface CallOptions {
  /** Fires when the run (or the branch the call belongs to) is cancelled: stop and reject. */
  signal?: AbortSignal;
  /** Our request id, sent to providers that accept a client request id header. */
  requestId?: string;
  /** Told before each retry of a failed attempt (callModel counts them onto the model span). */
  onRetry?: (info: RetryInfo) => void;
}

export interface Model {
  /** e.g. "openai", "anthropic", "openai-compatible", "scripted". */
  readonly provider: string;
  /** The provider's model name, e.g. "gpt-4o". */
  readonly modelId: string;
  generate(request: ModelRequest, options?: CallOptions): Promise<ModelResponse>;
  stream(request: ModelRequest, options?: CallOptions): AsyncIterable<StreamEvent>;
  /** The models this one may route to (fallback): pricing checks each of them. */
  readonly routes?: readonly Model[];
}

/** Builds a stream from a generate call, for providers (scripted) with nothing to stream incrementally. */
export async function* streamFromGenerate(
  model: Pick<Model, 'generate'>,
  request: ModelRequest,
  options?: CallOptions,
): AsyncIterable<StreamEvent> {
  const response = await model.generate(request, options);
  if (response.text) yield { type: 'text-delta', delta: response.text };
  for (const call of response.toolCalls) yield { type: 'tool-call', call };
  yield { type: 'finish', response };
}
