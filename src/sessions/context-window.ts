/**
 * The context windows of known models, in tokens (input and output together),
 * as the providers publish them. Settable for models not listed or deployed
 * with another limit. A model not in the table has no known window: only the
 * policy's own budget applies.
 */
import type { Model } from '../core/model.js';
import { ConfigError } from '../core/errors.js';

const WINDOWS = new Map<string, number>([
  ['gpt-5', 400_000],
  ['gpt-5-mini', 400_000],
  ['gpt-5-nano', 400_000],
  ['gpt-4.1', 1_047_576],
  ['gpt-4.1-mini', 1_047_576],
  ['gpt-4.1-nano', 1_047_576],
  ['gpt-4o', 128_000],
  ['gpt-4o-mini', 128_000],
  ['gpt-4-turbo', 128_000],
  ['gpt-4', 8_192],
  ['gpt-3.5-turbo', 16_385],
  ['o1', 200_000],
  ['o3', 200_000],
  ['o3-mini', 200_000],
  ['o4-mini', 200_000],
  ['claude-opus-4', 200_000],
  ['claude-sonnet-4', 200_000],
  ['claude-3-7-sonnet', 200_000],
  ['claude-3-5-sonnet', 200_000],
  ['claude-3-5-haiku', 200_000],
  ['claude-haiku-4', 200_000],
]);

/** Sets (or overrides) a model's context window. */
export function setContextWindow(modelId: string, tokens: number): void {
  if (!Number.isInteger(tokens) || tokens < 1) throw new ConfigError('contextWindow', `must be a positive integer, got ${tokens}`);
  WINDOWS.set(modelId, tokens);
}

/**
 * The window of a model: its exact id, else the longest listed prefix (dated snapshots such as
 * "gpt-4o-2024-08-06" or "claude-sonnet-4-20250514" share their family's window).
 */
export function contextWindowOf(model: Pick<Model, 'modelId'>): number | undefined {
  const id = model.modelId;
  const exact = WINDOWS.get(id);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  for (const known of WINDOWS.keys()) if (id.startsWith(`${known}-`) && (!best || known.length > best.length)) best = known;
  return best === undefined ? undefined : WINDOWS.get(best);
}
