/**
 * Maps over items with at most `limit` calls in flight, results in input
 * order. On the first failure no new item starts; the ones in flight settle
 * (so nothing keeps running after the call returns) and the first error is
 * thrown. An aborted `signal` stops new items the same way.
 */
import { ConfigError } from '../core/errors.js';

export interface MapLimitOptions {
  signal?: AbortSignal;
}

export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  options: MapLimitOptions = {},
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new ConfigError('concurrency', `must be an integer >= 1, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const signal = options.signal;

  async function lane(): Promise<void> {
    while (!failed && next < items.length) {
      if (signal?.aborted) {
        failed = true;
        firstError ??= signal.reason;
        return;
      }
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index);
      } catch (err) {
        if (!failed) {
          failed = true;
          firstError = err;
        }
        return;
      }
    }
  }

  const lanes: Promise<void>[] = [];
  for (let i = 0; i < Math.min(limit, items.length); i++) lanes.push(lane());
  await Promise.all(lanes);
  if (failed) throw firstError;
  return results;
}
