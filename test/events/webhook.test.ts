import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signWebhook, webhookSource, type WebhookSource } from '../../src/events/webhook.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';

const SECRET = 'test-shared-secret';
const Payment = z.object({ event_id: z.string().min(1), amount: z.number().positive(), merchant: z.string() });
type Payment = z.infer<typeof Payment>;

interface Reply {
  status: number;
  body: { error?: string; field?: string; accepted?: string };
}

/** POSTs `body`; `chunked` sends it without a content-length, in pieces. */
function post(url: string, body: string | Buffer, headers: Record<string, string>, chunked = false): Promise<Reply> {
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
  let store: Store;
  beforeAll(async () => {
    store = await SqliteStore.open(':memory:');
    src = await webhookSource({ secret: SECRET, store, schema: Payment, idOf: (p) => p.event_id, maxBodyBytes: 4096, toleranceSec: 300 });
  });
  afterAll(async () => {
    await src.close();
    await store.close();
  });

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

  it('answers 202 only once the event is in the durable inbox', async () => {
    const body = JSON.stringify({ event_id: 'evt-durable', amount: 3, merchant: 'acme' });
    expect((await post(src.url, body, signed(body))).status).toBe(202);
    expect(await store.inboxCount('webhook')).toBe(1);
    expect(await src.remaining()).toBe(1);
    await drain();
    expect(await store.inboxCount('webhook')).toBe(0);
  });

  it('verifies the signature over the raw bytes: a body with invalid UTF-8 signed over its bytes is accepted', async () => {
    const raw = Buffer.concat([Buffer.from('{"event_id":"evt-bytes","amount":2,"merchant":"caf'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const ts = Math.floor(Date.now() / 1000);
    const r = await post(src.url, raw, { 'x-timestamp': String(ts), 'x-signature': signWebhook(SECRET, ts, raw) });
    expect(r).toEqual({ status: 202, body: { accepted: 'evt-bytes' } });
    const [got] = await drain();
    expect(got!.payload.merchant).toBe('caf\uFFFD\uFFFD');
    // The same bytes signed as decoded text (what the server used to verify) do not match.
    const decodedSig = signWebhook(SECRET, ts, raw.toString('utf8'));
    expect((await post(src.url, raw, { 'x-timestamp': String(ts), 'x-signature': decodedSig })).status).toBe(401);
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

/** A raw connection: writes `head` (and optionally part of a body), collects what comes back until close. */
function rawClient(port: number, head: string, bodyPart = ''): { socket: Socket; reply: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  socket.on('connect', () => socket.write(head + bodyPart));
  let got = '';
  socket.on('data', (c) => (got += c));
  const reply = new Promise<string>((resolve) => {
    socket.on('error', () => resolve(got || 'RESET'));
    socket.on('close', () => resolve(got));
  });
  return { socket, reply };
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? -1);

describe('webhook source under attack', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const fakeSig = () => `sha256=${randomBytes(32).toString('hex')}`;

  it('answers 401 from the head alone: no signature, a malformed one or a stale timestamp never gets its body read', async () => {
    const store = await SqliteStore.open(':memory:');
    const src = await webhookSource({ secret: SECRET, store, schema: Payment, idOf: (p) => p.event_id });
    const port = Number(new URL(src.url).port);
    try {
      const heads = [
        '',
        `x-timestamp: ${now()}\r\n`,
        `x-timestamp: ${now()}\r\nx-signature: sha256=nothex\r\n`,
        `x-timestamp: ${now() - 3600}\r\nx-signature: ${fakeSig()}\r\n`,
        `webhook-id: m1\r\nwebhook-timestamp: ${now()}\r\nwebhook-signature: nonsense\r\n`,
      ];
      // Each declares a 200 KB body and sends none of it: the answer must come without it.
      const replies = await Promise.all(heads.map((h) => rawClient(port, `POST /events HTTP/1.1\r\nhost: x\r\ncontent-length: 200000\r\n${h}\r\n`).reply));
      expect(replies.map(statusOf)).toEqual([401, 401, 401, 401, 401]);
      expect(src.pendingBodies).toBe(0);
    } finally {
      await src.close();
      await store.close();
    }
  });

  it('bounds unauthenticated bodies in flight (503 beyond, unread) and their read time (408), leaving no connection behind', async () => {
    const store = await SqliteStore.open(':memory:');
    const src = await webhookSource({ secret: SECRET, store, schema: Payment, idOf: (p) => p.event_id, maxPendingBodies: 8, bodyTimeoutMs: 1500, maxBodyBytes: 256 * 1024 });
    const port = Number(new URL(src.url).port);
    try {
      // 30 slow senders with well-formed (forged) signature headers: each sends 1 KB of a declared 250 KB, then stalls.
      const clients = Array.from({ length: 30 }, () =>
        rawClient(port, `POST /events HTTP/1.1\r\nhost: x\r\ncontent-length: 256000\r\nx-timestamp: ${now()}\r\nx-signature: ${fakeSig()}\r\n\r\n`, 'x'.repeat(1024)),
      );
      let peak = 0;
      const watch = setInterval(() => (peak = Math.max(peak, src.pendingBodies)), 5);
      const statuses = await Promise.all(clients.map((c) => c.reply.then(statusOf)));
      clearInterval(watch);
      expect(statuses.filter((s) => s === 503)).toHaveLength(22);
      expect(statuses.filter((s) => s === 408)).toHaveLength(8);
      expect(peak).toBeLessThanOrEqual(8);
      expect(src.pendingBodies).toBe(0);
      const open = await new Promise<number>((resolve) => src.server.getConnections((_, n) => resolve(n)));
      expect(open).toBe(0);
      expect(await store.inboxCount('webhook')).toBe(0);
    } finally {
      await src.close();
      await store.close();
    }
  });

  it('answers 431 to an oversized head and 408 to a slow one, instead of a reset', async () => {
    const store = await SqliteStore.open(':memory:');
    const src = await webhookSource({ secret: SECRET, store, headersTimeoutMs: 300 });
    const port = Number(new URL(src.url).port);
    try {
      const big = await new Promise<number | string>((resolve) => {
        const req = request(src.url, { method: 'POST', headers: { 'x-padding': 'p'.repeat(64 * 1024), 'content-length': 2 } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
        req.end('{}');
      });
      expect(big).toBe(431);
      const slow = rawClient(port, 'POST /events HTTP/1.1\r\nhost: x\r\n'); // and never the rest of the head
      expect(statusOf(await slow.reply)).toBe(408);
    } finally {
      await src.close();
      await store.close();
    }
  });

  it('answers 503 with Retry-After once it stops accepting, and keeps what it accepted for the next worker', async () => {
    const store = await SqliteStore.open(':memory:');
    const first = await webhookSource({ secret: SECRET, store, schema: Payment, idOf: (p) => p.event_id });
    const body = JSON.stringify({ event_id: 'kept', amount: 1, merchant: 'acme' });
    expect((await post(first.url, body, signed(body))).status).toBe(202);
    first.stopAccepting();
    const late = JSON.stringify({ event_id: 'late', amount: 1, merchant: 'acme' });
    const refused = await new Promise<{ status: number; retryAfter?: string }>((resolve, reject) => {
      const headers = { ...signed(late), 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(late)) };
      const req = request(first.url, { method: 'POST', headers }, (res) => {
        res.resume();
        resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined });
      });
      req.on('error', reject);
      req.end(late);
    });
    expect(refused).toEqual({ status: 503, retryAfter: '5' });
    await first.close();

    const second = await webhookSource({ secret: SECRET, store, schema: Payment, idOf: (p) => p.event_id });
    try {
      const got = await second.pull(10, new AbortController().signal);
      expect(got!.map((d) => d.id)).toEqual(['kept']);
    } finally {
      await second.close();
      await store.close();
    }
  });

  it('refuses to start without a store or a durable accept', async () => {
    await expect(webhookSource({ secret: SECRET } as never)).rejects.toThrow(/webhook\.store: is required/);
  });
});

describe('webhook source with the Standard Webhooks scheme (standardwebhooks as the sender)', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let src: WebhookSource<Payment>;
  let store: Store;
  beforeAll(async () => {
    store = await SqliteStore.open(':memory:');
    src = await webhookSource({ secret, store, schema: Payment, idOf: (p) => p.event_id });
  });
  afterAll(async () => {
    await src.close();
    await store.close();
  });

  const sent = (wh: Webhook, body: string, at = new Date()) => {
    const id = `msg_${randomBytes(6).toString('hex')}`;
    return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': wh.sign(id, at, body) };
  };

  it('accepts an event signed by the standardwebhooks package, UTF-8 included', async () => {
    const body = JSON.stringify({ event_id: 'sw-1', amount: 9.5, merchant: 'café — 你好 🧾' });
    expect(await post(src.url, body, sent(new Webhook(secret), body))).toEqual({ status: 202, body: { accepted: 'sw-1' } });
    const got = await src.pull(10, new AbortController().signal);
    expect(got!.map((d) => d.payload)).toEqual([{ event_id: 'sw-1', amount: 9.5, merchant: 'café — 你好 🧾' }]);
    for (const d of got!) await src.ack(d);
    // Several signatures (a sender rotating keys): one valid is enough.
    const h = sent(new Webhook(secret), body);
    h['webhook-signature'] = `v1,${randomBytes(32).toString('base64')} ${h['webhook-signature']}`;
    expect((await post(src.url, body, h)).status).toBe(202);
  });

  it('rejects another key, a tampered body, a changed id and a stale timestamp with 401', async () => {
    const body = JSON.stringify({ event_id: 'sw-2', amount: 1, merchant: 'acme' });
    const other = new Webhook(`whsec_${randomBytes(24).toString('base64')}`);
    expect((await post(src.url, body, sent(other, body))).status).toBe(401);
    expect((await post(src.url, body.replace('"amount":1', '"amount":1000'), sent(new Webhook(secret), body))).status).toBe(401);
    expect((await post(src.url, body, { ...sent(new Webhook(secret), body), 'webhook-id': 'msg_other' })).status).toBe(401);
    const stale = await post(src.url, body, sent(new Webhook(secret), body, new Date(Date.now() - 3600_000)));
    expect(stale.status).toBe(401);
    expect(stale.body.error).toMatch(/replay window/);
    expect(await store.inboxCount('webhook')).toBe(1); // only the rotated-key event of the test before
  });
});
