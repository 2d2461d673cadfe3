/**
 * A conversation cut into groups that must stay whole: an assistant message
 * with tool calls together with the tool results after it; every other
 * message on its own. Policies keep or drop groups, never single messages.
 */
import type { Message } from '../core/messages.js';

/** The start index of every group of `messages`. A tool result with no call before it joins the group before it. */
export function groupStarts(messages: readonly Message[]): number[] {
  const starts: number[] = [];
  for (let i = 0; i < messages.length; i++) if (messages[i]!.role !== 'tool' || starts.length === 0) starts.push(i);
  return starts;
}

/** The latest index at or after `from` where a group starts (messages.length when none). */
export function groupStartAtOrAfter(messages: readonly Message[], from: number): number {
  for (const s of groupStarts(messages)) if (s >= from) return s;
  return messages.length;
}

/**
 * The longest tail of whole groups whose `cost` stays within `limit` (`messages` itself when all
 * of it does). Empty when even the last group alone does not fit.
 */
export function fittingTail(messages: readonly Message[], limit: number, cost: (m: Message) => number): readonly Message[] {
  const starts = groupStarts(messages);
  let used = 0;
  let keepFrom = messages.length;
  for (let g = starts.length - 1; g >= 0; g--) {
    let groupCost = 0;
    for (let i = starts[g]!; i < keepFrom; i++) groupCost += cost(messages[i]!);
    if (used + groupCost > limit) break;
    used += groupCost;
    keepFrom = starts[g]!;
  }
  return keepFrom === 0 ? messages : messages.slice(keepFrom); // the same list when all fits: nothing was trimmed
}

/** Leading system messages (always sent) and the conversation after them. */
export function splitSystem(messages: readonly Message[]): { system: Message[]; rest: Message[] } {
  let i = 0;
  while (i < messages.length && messages[i]!.role === 'system') i++;
  return { system: messages.slice(0, i), rest: messages.slice(i) };
}
