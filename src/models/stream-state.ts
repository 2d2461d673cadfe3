/**
 * What every provider's stream reader keeps while events pass through: the
 * text and reasoning so far and the finished tool calls, each turned into its
 * StreamEvent as it arrives, and the final response built from them.
 */
import type { ToolCall } from '../core/messages.js';
import type { ModelResponse, StreamEvent } from '../core/model.js';

export class StreamState {
  protected text = '';
  protected reasoning = '';
  protected readonly toolCalls: ToolCall[] = [];

  protected textDelta(delta: string): StreamEvent {
    this.text += delta;
    return { type: 'text-delta', delta };
  }

  protected reasoningDelta(delta: string): StreamEvent {
    this.reasoning += delta;
    return { type: 'reasoning-delta', delta };
  }

  protected toolCall(call: ToolCall): StreamEvent {
    this.toolCalls.push(call);
    return { type: 'tool-call', call };
  }
}

/** The response with its reasoning, when there was any (absent otherwise, so plain responses keep their shape). */
export function withReasoning(response: ModelResponse, reasoning: string | undefined): ModelResponse {
  if (reasoning) response.reasoning = reasoning;
  return response;
}
