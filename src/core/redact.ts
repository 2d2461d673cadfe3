/**
 * Secrets never reach logs or traces: keys that name a credential are
 * replaced before a value is recorded. The same list feeds pino's redaction.
 */
const SECRET_KEY = /^(api[-_]?key|x-api-key|authorization|password|passwd|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token|bearer|cookie|set-cookie|private[-_]?key|webhook[-_]?secret)$/i;

export const REDACTED = '[REDACTED]';

// Every span's attributes are walked, and the same few keys come back on every
// turn: a lookup is several times cheaper than the regex. Bounded, since keys
// of tool arguments are unbounded.
const verdicts = new Map<string, boolean>();

export function isSecretKey(key: string): boolean {
  let secret = verdicts.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key);
    if (verdicts.size < 2048) verdicts.set(key, secret);
  }
  return secret;
}

/** A copy of `value` with every secret-named key replaced; primitives pass through untouched. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  let out: Record<string, unknown> | undefined;
  const src = value as Record<string, unknown>;
  for (const key in src) {
    const v = src[key];
    const r = isSecretKey(key) ? REDACTED : redact(v, depth + 1);
    if (r !== v && !out) out = { ...src };
    if (out) out[key] = r;
  }
  return out ?? value;
}

/** pino redact paths for the same keys, one and two levels deep. */
export const PINO_REDACT_PATHS = [
  'apiKey', 'api_key', 'authorization', 'password', 'secret', 'token', 'accessToken', 'webhookSecret',
  '*.apiKey', '*.api_key', '*.authorization', '*.Authorization', '*.password', '*.secret', '*.token',
  '*.accessToken', '*.webhookSecret', '*.headers.authorization', '*.headers["x-api-key"]',
];
