/**
 * Secrets never reach logs or traces: keys that name a credential are
 * replaced before a value is recorded. One list of names feeds both the
 * trace redaction (any spelling: apiKey, api_key, api-key) and pino's paths.
 */
const SECRET_NAMES = [
  'apiKey', 'api_key', 'x-api-key', 'authorization', 'password', 'passwd', 'secret', 'token', 'bearer',
  'clientSecret', 'client_secret', 'accessToken', 'access_token', 'refreshToken', 'refresh_token',
  'privateKey', 'private_key', 'webhookSecret', 'webhook_secret', 'cookie', 'set-cookie',
];
const normalize = (key: string) => key.toLowerCase().replace(/[-_]/g, '');
const SECRET_KEYS = new Set(SECRET_NAMES.map(normalize));

import { REDACTED, scrubText } from './secrets.js';

export { REDACTED };

// Every span's attributes are walked, and the same few keys come back on every
// turn: a lookup is several times cheaper than the regex. Bounded, since keys
// of tool arguments are unbounded.
const verdicts = new Map<string, boolean>();

export function isSecretKey(key: string): boolean {
  let secret = verdicts.get(key);
  if (secret === undefined) {
    secret = SECRET_KEYS.has(normalize(key));
    if (verdicts.size < 2048) verdicts.set(key, secret);
  }
  return secret;
}

/**
 * A copy of `value` with every secret-named key replaced and every string
 * scrubbed of secret values (secrets.ts); other primitives pass through.
 * `maxDepth` bounds the walk (spans: 8; checkpoints go deeper).
 */
export function redact(value: unknown, depth = 0, maxDepth = 8): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > maxDepth) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, maxDepth));
  let out: Record<string, unknown> | undefined;
  const src = value as Record<string, unknown>;
  for (const key in src) {
    const v = src[key];
    const r = isSecretKey(key) ? REDACTED : redact(v, depth + 1, maxDepth);
    if (r !== v && !out) out = { ...src };
    if (out) out[key] = r;
  }
  return out ?? value;
}

/** pino redact paths for the same names: top level, one level down, and in headers. */
export const PINO_REDACT_PATHS = SECRET_NAMES.flatMap((name) => {
  const key = /^[A-Za-z_]\w*$/.test(name) ? `.${name}` : `["${name}"]`;
  const top = key.startsWith('.') ? name : key;
  return [top, `*${key}`, `*.headers${key}`];
});
