/** The secrets registry: what scrubText removes from free text, and what it leaves alone. */
import { describe, expect, it } from 'vitest';
import { RunContext } from '../../src/core/context.js';
import { ModelError } from '../../src/core/errors.js';
import { redact } from '../../src/core/redact.js';
import { registerSecret, registerUrlPassword, scrubError, scrubText } from '../../src/core/secrets.js';

describe('scrubText', () => {
  it('removes key shapes it was never told about', () => {
    expect(scrubText('key sk-proj-4f9Zq1x8mN2bV7cL0pQ3 rejected')).toBe('key [REDACTED] rejected');
    expect(scrubText('x-api-key: sk-ant-api03-AbC123dEf456GhI789')).toBe('x-api-key: [REDACTED]');
    expect(scrubText('Authorization: Bearer eyJhbGciOi.J9x2.sig-42')).toBe('Authorization: [REDACTED]');
  });

  it('leaves prose and short ids alone', () => {
    for (const text of ['the bearer instrument was signed', 'use sk-learn-compatible-models here', 'task-1234 and risk-assessment', 'order 12345 refunded']) {
      expect(scrubText(text)).toBe(text);
    }
  });

  it('removes a registered value however it is written: as is, JSON-escaped, URL-encoded', () => {
    const secret = `pa"ss/w0rd\\${Math.random().toString(36).slice(2)}`;
    registerSecret(secret);
    expect(scrubText(`login with ${secret} failed`)).toBe('login with [REDACTED] failed');
    expect(scrubText(JSON.stringify({ note: `pw=${secret}` }))).toBe('{"note":"pw=[REDACTED]"}');
    expect(scrubText(`postgres://u:${encodeURIComponent(secret)}@h/db`)).toBe('postgres://u:[REDACTED]@h/db');
  });

  it('ignores values too short to be told apart from ordinary words', () => {
    registerSecret('admin');
    registerSecret('');
    registerSecret(undefined);
    expect(scrubText('admin logged in')).toBe('admin logged in');
  });

  it('registers the password of a connection URL, decoded', () => {
    const password = `Zx9!${Math.random().toString(36).slice(2)}`;
    registerUrlPassword(`postgres://app:${encodeURIComponent(password)}@db.internal:5432/vend`);
    registerUrlPassword('not a url');
    expect(scrubText(`auth failed for ${password}`)).toBe('auth failed for [REDACTED]');
  });
});

describe('where scrubbing applies', () => {
  const secret = `tok_${Math.random().toString(36).slice(2)}${Date.now()}`;
  registerSecret(secret);

  it('redact() scrubs strings at any key, and still redacts secret-named keys', () => {
    expect(redact({ note: `use ${secret}`, nested: [{ apiKey: 'whatever' }] })).toEqual({ note: 'use [REDACTED]', nested: [{ apiKey: '[REDACTED]' }] });
  });

  it('library errors are born scrubbed; other errors are scrubbed in place with their stack', () => {
    expect(new ModelError('gateway', `bad token ${secret}`).message).toBe('gateway: bad token [REDACTED]');
    const raw = scrubError(new Error(`sdk said ${secret}`));
    expect(raw.message).toBe('sdk said [REDACTED]');
    expect(raw.stack).not.toContain(secret);
  });

  it('span errors and attributes are scrubbed before any sink sees them', () => {
    const ctx = new RunContext();
    ctx.tracer.start('step', 's', undefined, { detail: `x ${secret}` }).fail(new Error(`boom ${secret}`));
    expect(JSON.stringify(ctx.tracer.spans)).not.toContain(secret);
  });
});
