import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signWebhook, webhookSource, type WebhookSource } from '../../src/events/webhook.js';

const SECRET = 'test-shared-secret';
const Payment = z.object({ event_id: z.string().min(1), amount: z.number().positive(), merchant: z.string() });
type Payment = z.infer<typeof Payment>;

interface Reply {
  status: number;
  body: { error?: string; field?: string; accepted?: string };
}

/** POSTs `body`; `chunked` sends it without a content-length, in pieces. */
function post(url: string, body: string, headers: Record<string, string>, chunked = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    if (chunked) {
      for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.slice(i, i + 16 * 1024));
      req.end();
    } else {
      req.setHeader('content-length', Buffer.byteLength(body));
      req.end(body);
    }
  });
}

function signed(body: string, ts = Math.floor(Date.now() / 1000), secret = SECRET) {
  return { 'x-timestamp': String(ts), 'x-signature': signWebhook(secret, ts, body) };
}

describe('webhook source', () => {
  let src: WebhookSource<Payment>;
  beforeAll(async () => {
    src = await webhookSource({ secret: SECRET, schema: Payment, idOf: (p) => p.event_id, maxBodyBytes: 4096, toleranceSec: 300 });
  });
  afterAll(() => src.close());

  const drain = async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 20);
    const got = (await src.pull(100, ctl.signal)) ?? [];
    for (const d of got) await src.ack(d);
    return got;
  };

  it('accepts a correctly signed event with 202 and queues it under its event id', async () => {
    const body = JSON.stringify({ event_id: 'evt-1', amount: 12.5, merchant: 'acme' });
    const r = await post(src.url, body, signed(body));
    expect(r).toEqual({ status: 202, body: { accepted: 'evt-1' } });
    const got = await drain();
    expect(got.map((d) => [d.id, d.payload])).toEqual([['evt-1', { event_id: 'evt-1', amount: 12.5, merchant: 'acme' }]]);
  });

  it('rejects a bad signature with 401 and queues nothing', async () => {
    const body = JSON.stringify({ event_id: 'evt-2', amount: 1, merchant: 'acme' });
    const wrongKey = await post(src.url, body, signed(body, undefined, 'another-secret'));
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.error).toMatch(/signature/);
    // Signed for a different body (tampered amount).
    const tampered = await post(src.url, body.replace('"amount":1', '"amount":9999'), signed(body));
    expect(tampered.status).toBe(401);
    const missing = await post(src.url, body, { 'x-timestamp': String(Math.floor(Date.now() / 1000)) });
    expect(missing.status).toBe(401);
    expect(await drain()).toEqual([]);
  });

  it('rejects a replayed (too old) timestamp even with a valid signature for it', async () => {
    const body = JSON.stringify({ event_id: 'evt-3', amount: 1, merchant: 'acme' });
    const old = Math.floor(Date.now() / 1000) - 3600;
    const r = await post(src.url, body, signed(body, old));
    expect(r.status).toBe(401);
    expect(r.body.error).toMatch(/replay window/);
    // The timestamp is covered by the signature: moving it forward breaks the signature.
    const moved = await post(src.url, body, { ...signed(body, old), 'x-timestamp': String(Math.floor(Date.now() / 1000)) });
    expect(moved.status).toBe(401);
    expect(moved.body.error).toMatch(/signature/);
    expect(await drain()).toEqual([]);
  });

  it('answers 413 to an oversize body, declared or streamed, and queues nothing', async () => {
    const big = JSON.stringify({ event_id: 'evt-4', amount: 1, merchant: 'x'.repeat(10_000) });
    const declared = await post(src.url, big, signed(big));
    expect(declared.status).toBe(413);
    const huge = JSON.stringify({ event_id: 'evt-5', amount: 1, merchant: 'x'.repeat(200_000) });
    const streamed = await post(src.url, huge, signed(huge), true).catch((err: NodeJS.ErrnoException) => ({ status: -1, body: { error: err.code } }));
    // The server stops reading and closes; the client sees the 413 or, if still writing, a reset.
    expect([413, -1]).toContain(streamed.status);
    if (streamed.status === -1) expect(streamed.body.error).toMatch(/ECONNRESET|EPIPE/);
    expect(await drain()).toEqual([]);
  });

  it('answers 400 naming the field for a malformed payload', async () => {
    const badAmount = JSON.stringify({ event_id: 'evt-6', amount: 'lots', merchant: 'acme' });
    const r1 = await post(src.url, badAmount, signed(badAmount));
    expect(r1.status).toBe(400);
    expect(r1.body.field).toBe('amount');
    const noId = JSON.stringify({ amount: 3, merchant: 'acme' });
    const r2 = await post(src.url, noId, signed(noId));
    expect(r2.status).toBe(400);
    expect(r2.body.field).toBe('event_id');
    const notJson = '{"event_id": "evt-7",';
    const r3 = await post(src.url, notJson, signed(notJson));
    expect(r3.status).toBe(400);
    expect(r3.body.field).toBe('(body)');
    expect(await drain()).toEqual([]);
  });
});
