import type { Usage } from '../core/model.js';

/** Token counts as providers report them (any may be missing or null). */
export interface TokenCounts {
  /** All input, cached included. */
  input?: number | null;
  /** All output, reasoning included. */
  output?: number | null;
  cacheRead?: number | null;
  cacheWrite?: number | null;
  reasoning?: number | null;
}

/** Our Usage from a provider's counts: the optional details only when non-zero, so plain usage stays two fields. */
export function toUsage(c: TokenCounts): Usage {
  const usage: Usage = { inputTokens: c.input ?? 0, outputTokens: c.output ?? 0 };
  if (c.cacheRead) usage.cacheReadTokens = c.cacheRead;
  if (c.cacheWrite) usage.cacheWriteTokens = c.cacheWrite;
  if (c.reasoning) usage.reasoningTokens = c.reasoning;
  return usage;
}
