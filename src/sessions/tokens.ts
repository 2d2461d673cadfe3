/**
 * Counting a request's tokens before it is sent. OpenAI model families
 * (gpt-*, o1/o3/o4…, chatgpt-*) are counted with `gpt-tokenizer` (o200k_base;
 * cl100k_base for gpt-4 and gpt-3.5), an optional peer loaded on first use.
 * Everything else — and OpenAI models when gpt-tokenizer is not installed —
 * gets the documented estimate: one token per 3 characters, rounded up. Real
 * tokenizers give about 4 characters per token for English and fewer for code
 * and other scripts, so 3 overcounts on purpose: a budget kept by the estimate
 * is kept by the real count too, for most text.
 * Both add 4 tokens per message (role and separators) and 3 for the reply's
 * start, as OpenAI documents for its chat format. An image or file part is
 * counted as 1,000 tokens (providers bill them by size and detail; this is a
 * budget placeholder, not their count).
 */
import type { Content, Message } from '../core/messages.js';
import type { Model, ModelRequest } from '../core/model.js';

const PER_MESSAGE = 4;
const REPLY_PRIMING = 3;
const CHARS_PER_TOKEN_ESTIMATE = 3;
const MEDIA_PART = 1000;

export interface TokenCounter {
  /** "gpt-tokenizer/o200k_base", "gpt-tokenizer/cl100k_base" or "estimate". */
  readonly method: string;
  text(text: string): number;
}

export const estimateCounter: TokenCounter = {
  method: 'estimate',
  text: (text) => Math.ceil(text.length / CHARS_PER_TOKEN_ESTIMATE),
};

const OPENAI_FAMILY = /^(gpt-|chatgpt-|o[1-9](-|$)|ft:gpt-)/i;
const CL100K = /^(ft:)?gpt-(4(?!o|\.)|3\.5)/i;

type Encoding = 'o200k_base' | 'cl100k_base';
const loaded = new Map<Encoding, Promise<TokenCounter | undefined>>();

/** The counter for a model: gpt-tokenizer for OpenAI families when it is installed, else the estimate. */
export async function counterFor(model: Pick<Model, 'modelId'>): Promise<TokenCounter> {
  if (!OPENAI_FAMILY.test(model.modelId)) return estimateCounter;
  const encoding: Encoding = CL100K.test(model.modelId) ? 'cl100k_base' : 'o200k_base';
  let counter = loaded.get(encoding);
  if (!counter) {
    // Two literal specifiers (not a template), so bundlers can see them.
    const module = encoding === 'o200k_base' ? import('gpt-tokenizer/encoding/o200k_base') : import('gpt-tokenizer/encoding/cl100k_base');
    counter = module.then(
      (m: { countTokens: (text: string) => number }) => ({ method: `gpt-tokenizer/${encoding}`, text: (t: string) => (t ? m.countTokens(t) : 0) }),
      () => undefined, // not installed: the estimate, and the span says so ("tokenizer": "estimate")
    );
    loaded.set(encoding, counter);
  }
  return (await counter) ?? estimateCounter;
}

function contentTokens(counter: TokenCounter, content: Content): number {
  if (typeof content === 'string') return counter.text(content);
  let n = 0;
  for (const p of content) n += p.type === 'text' ? counter.text(p.text) : MEDIA_PART;
  return n;
}

export function messageTokens(counter: TokenCounter, m: Message): number {
  let n = PER_MESSAGE + contentTokens(counter, m.content);
  if (m.role === 'assistant' && m.toolCalls) for (const c of m.toolCalls) n += counter.text(c.name) + counter.text(c.arguments) + PER_MESSAGE;
  if (m.role === 'tool') n += counter.text(m.toolName);
  return n;
}

export function messagesTokens(counter: TokenCounter, messages: readonly Message[]): number {
  let n = 0;
  for (const m of messages) n += messageTokens(counter, m);
  return n;
}

/** Tokens of what a request sends besides its messages: tool definitions and the output schema. */
export function overheadTokens(counter: TokenCounter, request: ModelRequest): number {
  let n = REPLY_PRIMING;
  if (request.tools?.length) n += counter.text(JSON.stringify(request.tools));
  if (request.output) n += counter.text(JSON.stringify(request.output));
  return n;
}

export function requestTokens(counter: TokenCounter, request: ModelRequest): number {
  return overheadTokens(counter, request) + messagesTokens(counter, request.messages);
}
