/** Provider-neutral conversation items. Providers translate these to their wire format. */

export interface ToolCall {
  /** Provider-assigned id that ties the result back to the call. */
  id: string;
  name: string;
  /** Raw JSON text as the model produced it; parsed and validated by the agent, never trusted. */
  arguments: string;
}

export type Message =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; toolName: string; content: string; isError?: boolean };

export const system = (content: string): Message => ({ role: 'system', content });
export const user = (content: string): Message => ({ role: 'user', content });
