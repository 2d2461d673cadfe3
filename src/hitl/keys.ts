/**
 * What an approval matches: exactly one call — the tool's name and the
 * canonical JSON of its arguments (keys sorted), hashed. Same arguments in
 * any key order match; any other argument does not.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The match key of a call: tool + canonical arguments. */
export function approvalKey(tool: string, args: unknown): string {
  return sha256(`${tool}\n${canonicalJson(args)}`);
}

/** A stable approval id for one request of one run (`request`: the call key and which execution asks; replays find it again). */
export function approvalId(runId: string, request: string): string {
  return `apr_${sha256(`${runId}\n${request}`).slice(0, 16)}`;
}
