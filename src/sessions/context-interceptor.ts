/**
 * The interceptor that applies a context policy before every model call of a
 * run, then checks the shaped request against the model's context window.
 * What it changed is recorded as a `decision` span named `context`: the
 * policy, messages and tokens before and after, whether it summarised.
 */
import type { Interceptor, ModelInvocation } from '../core/interceptor.js';
import type { ModelRequest, ModelResponse } from '../core/model.js';
import { contextWindowOf } from './context-window.js';
import { ContextTooLarge } from './errors.js';
import { splitSystem } from './groups.js';
import type { ContextPolicy, Summary, SummaryMemo } from './policy.js';
import { counterFor, messagesTokens, overheadTokens, requestTokens } from './tokens.js';

/** Memos per conversation: the session's for its own conversation, memory for any other (a nested agent's). */
export type MemoFor = (call: ModelInvocation) => SummaryMemo;

export function inMemoryMemos(): MemoFor {
  const byPath = new Map<string, Summary>();
  return (call) => ({
    read: () => byPath.get(call.path),
    write: async (summary) => void byPath.set(call.path, summary),
  });
}

export class ContextInterceptor implements Interceptor {
  readonly name = 'context';

  constructor(
    private readonly policy: ContextPolicy,
    private readonly memoFor: MemoFor = inMemoryMemos(),
    /** Interceptors the policy's own model calls (the summariser's) must not go through. */
    private readonly skipForOwnCalls: readonly Interceptor[] = [],
  ) {}

  async model(call: ModelInvocation, next: (call: ModelInvocation) => Promise<ModelResponse>): Promise<ModelResponse> {
    const { request, model } = call;
    const counter = await counterFor(model);
    const { system, rest } = splitSystem(request.messages);
    const fixedTokens = overheadTokens(counter, request) + messagesTokens(counter, system);
    const before = fixedTokens + messagesTokens(counter, rest);
    const skip = new Set<unknown>([this, ...this.skipForOwnCalls]);
    const out = await this.policy.apply({
      messages: rest,
      fixedTokens,
      counter,
      memo: this.memoFor(call),
      ctx: call.ctx.with({ interceptors: call.ctx.interceptors.filter((i) => !skip.has(i)) }),
      model,
    });
    const shaped: ModelRequest = out.messages === rest ? request : { ...request, messages: [...system, ...out.messages] };
    const after = shaped === request ? before : requestTokens(counter, shaped);
    if (shaped !== request) {
      call.ctx.tracer.event('decision', 'context', call.parentSpanId, {
        policy: this.policy.name,
        tokenizer: counter.method,
        messagesBefore: request.messages.length,
        messagesAfter: shaped.messages.length,
        tokensBefore: before,
        tokensAfter: after,
        summarized: out.summarized === true,
      });
    }
    const window = contextWindowOf(model);
    const needed = after + (request.maxOutputTokens ?? 0);
    if (window !== undefined && needed > window) throw new ContextTooLarge(`context window of ${model.modelId}`, window, needed);
    return next(shaped === request ? call : { ...call, request: shaped });
  }
}
