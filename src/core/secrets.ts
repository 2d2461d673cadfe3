/**
 * Secrets by value. Redaction by field name (redact.ts) cannot see a key
 * inside free text: a provider error that echoes it, a tool result, a log
 * line. The library knows the secret values it was given or read (provider
 * keys, webhook secrets, store passwords): they are registered here, once,
 * and `scrubText` removes them, and anything shaped like a common API key,
 * from every string the library logs, traces, stores or throws.
 */
/** What a removed secret is replaced with, everywhere. */
export const REDACTED = '[REDACTED]';

/** Shorter values would match ordinary text (a password "postgres" is also the word). */
const MIN_SECRET_LENGTH = 8;

/**
 * Key shapes recognised in any text: OpenAI / Anthropic style keys and bearer
 * tokens. Both need a digit in the token, so prose ("the bearer instrument",
 * "sk-learn-compatible-models") is left alone; generated keys have digits.
 */
const KEY_SHAPES = String.raw`\bsk-(?:ant-)?(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{16,}|\bBearer\s+(?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{8,}=*`;

const secrets = new Set<string>();
let pattern = new RegExp(KEY_SHAPES, 'gi');

/**
 * Remembers a secret value so it is scrubbed from everything recorded from
 * now on (process-wide: a key given to one model is a secret for all runs).
 * Empty and short values are ignored.
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  const before = secrets.size;
  secrets.add(value);
  // Inside JSON text (the store, JSONL) a value with quotes or backslashes appears escaped.
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) secrets.add(escaped);
  // A value given as a URL component (a password in a store URL) may appear encoded.
  const encoded = encodeURIComponent(value);
  if (encoded !== value) secrets.add(encoded);
  if (secrets.size !== before) pattern = build();
}

function build(): RegExp {
  // Longest first, so a secret that contains another is replaced whole.
  const literals = [...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp([...literals, KEY_SHAPES].join('|'), 'gi');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` without any registered secret or key-shaped token; the same string when there is none. */
export function scrubText(text: string): string {
  pattern.lastIndex = 0;
  if (!pattern.test(text)) return text;
  pattern.lastIndex = 0;
  return text.replace(pattern, REDACTED);
}

/**
 * An error scrubbed in place, for errors the library rethrows: its message,
 * its stack (which repeats the message), its own fields (an SDK error keeps
 * the provider's answer in one) and its causes, so printing it whole shows
 * no secret either.
 */
export function scrubError<E>(err: E, depth = 0): E {
  if (!(err instanceof Error) || depth > 4) return err;
  const message = scrubText(err.message);
  if (message !== err.message) err.message = message;
  if (err.stack !== undefined) {
    const stack = scrubText(err.stack);
    if (stack !== err.stack) err.stack = stack;
  }
  const fields = err as unknown as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (key === 'trace' || value === null || (typeof value !== 'string' && typeof value !== 'object')) continue;
    const scrubbed = value instanceof Error ? scrubError(value, depth + 1) : scrubValue(value, 0);
    if (scrubbed === value) continue;
    try {
      fields[key] = scrubbed;
    } catch {
      // a read-only field: left as it is
    }
  }
  scrubError(err.cause, depth + 1);
  return err;
}

/** A copy of a plain value with its strings scrubbed (the same value when nothing changed). */
function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (Array.isArray(value)) {
    const out = value.map((v) => scrubValue(v, depth + 1));
    return out.some((v, i) => v !== value[i]) ? out : value;
  }
  if (value instanceof Error) return scrubError(value, depth);
  let copy: Record<string, unknown> | undefined;
  const src = value as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    const v = scrubValue(src[key], depth + 1);
    if (v !== src[key]) (copy ??= { ...src })[key] = v;
  }
  return copy ?? value;
}

/** Registers the password of a connection URL (postgres://user:pass@host/db, redis://:pass@host). */
export function registerUrlPassword(url: string): void {
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return; // not a URL: nothing to find (the caller reports a bad URL itself)
  }
  if (!password) return;
  try {
    registerSecret(decodeURIComponent(password));
  } catch {
    registerSecret(password);
  }
}
