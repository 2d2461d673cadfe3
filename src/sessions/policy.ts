/**
 * A context policy decides which part of a conversation a model call is
 * given. It sees the conversation without its leading system messages (those
 * are never dropped) and returns what to send instead. It may only drop whole
 * groups (groups.ts), so a tool call never loses its result.
 */
import type { RunContext } from '../core/context.js';
import type { Message } from '../core/messages.js';
import type { Model } from '../core/model.js';
import type { TokenCounter } from './tokens.js';

/** A summary of a conversation's first `covered` messages (system messages not counted). */
export interface Summary {
  text: string;
  covered: number;
}

/** Where a conversation's summary is kept: the session's row, or memory for a run without a session. */
export interface SummaryMemo {
  read(): Summary | undefined;
  write(summary: Summary): Promise<void>;
}

export interface PolicyInput {
  /** The conversation after its leading system messages. */
  readonly messages: readonly Message[];
  /** Tokens the request costs whatever the policy keeps: system messages, tool definitions, output schema. */
  readonly fixedTokens: number;
  readonly counter: TokenCounter;
  readonly memo: SummaryMemo;
  readonly ctx: RunContext;
  /** The model the request is for. */
  readonly model: Model;
}

export interface PolicyOutput {
  messages: readonly Message[];
  /** Set when the policy made a new summary on this call. */
  summarized?: boolean;
}

export interface ContextPolicy {
  readonly name: string;
  apply(input: PolicyInput): PolicyOutput | Promise<PolicyOutput>;
}
