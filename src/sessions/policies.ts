/** The built-in context policies: `lastMessages`, `tokenBudget`, `summarize`. */
import { callModel } from '../core/call-model.js';
import { ConfigError } from '../core/errors.js';
import { textOf, type Message } from '../core/messages.js';
import type { Model } from '../core/model.js';
import { ContextTooLarge } from './errors.js';
import { fittingTail, groupStartAtOrAfter } from './groups.js';
import type { ContextPolicy, PolicyInput, PolicyOutput, Summary } from './policy.js';
import { messagesTokens, messageTokens } from './tokens.js';

function positiveInt(field: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(field, `must be a positive integer, got ${n}`);
}

/** Keeps the last `n` messages (fewer when the n-th from the end is a tool result whose call would be cut off). */
export function lastMessages(n: number): ContextPolicy {
  positiveInt('lastMessages', n);
  return {
    name: 'lastMessages',
    apply: ({ messages }) => ({ messages: fittingTail(messages, n, () => 1) }),
  };
}

/**
 * Keeps the newest whole groups of messages that fit in `maxTokens` together with the system
 * prompt, tool definitions and output schema. When not even the newest group fits, the call
 * fails with ContextTooLarge before it is sent.
 */
export function tokenBudget(maxTokens: number): ContextPolicy {
  positiveInt('tokenBudget', maxTokens);
  return {
    name: 'tokenBudget',
    apply: ({ messages, fixedTokens, counter }) => {
      const kept = fittingTail(messages, maxTokens - fixedTokens, (m) => messageTokens(counter, m));
      if (kept.length === 0 && messages.length > 0) {
        throw new ContextTooLarge('tokenBudget', maxTokens, fixedTokens + messageTokens(counter, messages[messages.length - 1]!));
      }
      return { messages: kept };
    },
  };
}

export interface SummarizeOptions {
  /** The model that writes summaries (a small, cheap one will do). */
  model: Model;
  /** Summarise once the request would exceed this many tokens. */
  triggerTokens: number;
  /** How many of the newest messages stay verbatim (more when a tool call's group straddles the cut). */
  keepLast: number;
  /** The summariser's instructions. */
  instructions?: string;
}

export const SUMMARY_INSTRUCTIONS =
  'Summarize the conversation below for an assistant that will continue it. Keep every fact, name, number, id, ' +
  'decision and open question; drop greetings and repetition. Write plain prose, at most 200 words.';

/** The message that stands in for the summarised turns. */
export function summaryMessage(summary: Summary): Message {
  return { role: 'system', content: `Summary of the earlier conversation:\n${summary.text}` };
}

/**
 * Replaces older messages with a summary made by `model` once the request passes `triggerTokens`.
 * The summary is kept (in the session, when the run has one) and reused on every later call until
 * the conversation passes the trigger again: one summariser call per trigger, not per turn.
 */
export function summarize(options: SummarizeOptions): ContextPolicy {
  positiveInt('summarize.triggerTokens', options.triggerTokens);
  if (!Number.isInteger(options.keepLast) || options.keepLast < 0) throw new ConfigError('summarize.keepLast', `must be an integer >= 0, got ${options.keepLast}`);
  if (!options.model) throw new ConfigError('summarize.model', 'is required');
  const instructions = options.instructions ?? SUMMARY_INSTRUCTIONS;
  return {
    name: 'summarize',
    async apply(input: PolicyInput): Promise<PolicyOutput> {
      const { messages, fixedTokens, counter, memo } = input;
      const previous = validSummary(memo.read(), messages.length);
      const current = withSummary(previous, messages);
      if (fixedTokens + messagesTokens(counter, current) <= options.triggerTokens) return { messages: current };
      const cut = groupStartAtOrAfter(messages, Math.max(0, messages.length - options.keepLast));
      if (cut <= (previous?.covered ?? 0)) return { messages: current }; // nothing new old enough to summarise
      const transcript = renderTranscript(messages.slice(previous?.covered ?? 0, cut));
      const prompt = previous ? `Earlier summary:\n${previous.text}\n\nConversation since:\n${transcript}` : transcript;
      const response = await callModel(input.ctx, options.model, { messages: [{ role: 'system', content: instructions }, { role: 'user', content: prompt }] }, 'summarize');
      const summary: Summary = { text: response.text.trim(), covered: cut };
      await memo.write(summary);
      return { messages: withSummary(summary, messages), summarized: true };
    },
  };
}

/** A stored summary applies only to a conversation at least as long as what it covers. */
function validSummary(summary: Summary | undefined, length: number): Summary | undefined {
  return summary && summary.covered <= length && typeof summary.text === 'string' ? summary : undefined;
}

function withSummary(summary: Summary | undefined, messages: readonly Message[]): readonly Message[] {
  return summary ? [summaryMessage(summary), ...messages.slice(summary.covered)] : messages;
}

function renderTranscript(messages: readonly Message[]): string {
  return messages
    .map((m) => {
      if (m.role === 'tool') return `tool ${m.toolName} result: ${textOf(m.content)}`;
      if (m.role === 'assistant' && m.toolCalls?.length) return `assistant: ${m.content} [called ${m.toolCalls.map((c) => `${c.name}(${c.arguments})`).join(', ')}]`;
      return `${m.role}: ${textOf(m.content)}`;
    })
    .join('\n');
}
