// A signed webhook as the event source (node:http lives in its own entry: agent-patterns/events/webhook).
import { z } from 'zod';
import { step } from 'agent-patterns';
import { consume } from 'agent-patterns/events';
import { openStore } from 'agent-patterns/store';
import { signWebhook, webhookSource } from 'agent-patterns/events/webhook';

const Payment = z.object({ event_id: z.string(), amount: z.number() });

export async function webhookWorker(secret: string) {
  const store = await openStore(); // SQLite file by default
  const hook = await webhookSource({
    secret, // HMAC-SHA256 over `${x-timestamp}.` + the raw body, sent as x-signature: sha256=<hex>; or Standard Webhooks with a whsec_ secret
    store, // accepted = stored in this store's inbox: the 202 comes only after that
    inbox: 'payments',
    port: 8080,
    schema: Payment, // 400 names the failing field
    idOf: (p) => p.event_id,
    maxBodyBytes: 64 * 1024, // 413 beyond, without reading the rest
    toleranceSec: 300, // 401 outside this replay window
    maxPendingBodies: 64, // unauthenticated bodies read at once; 503 beyond
  });
  const consumer = consume(hook, step('decide', (p: z.infer<typeof Payment>) => (p.amount > 1000 ? 'flag' : 'allow')), {
    consumer: 'payments',
    store,
  });
  // On SIGTERM: new POSTs get 503 + Retry-After, in-flight events finish, the rest waits in the inbox.
  process.once('SIGTERM', () => void consumer.stop().then(async (stats) => console.log({ ...stats, left: await hook.remaining() })));
  return { url: hook.url, consumer, store };
}

/** What a sender does. */
export function signedRequest(secret: string, event: z.infer<typeof Payment>) {
  const body = JSON.stringify(event);
  const ts = Math.floor(Date.now() / 1000);
  return { body, headers: { 'content-type': 'application/json', 'x-timestamp': String(ts), 'x-signature': signWebhook(secret, ts, body) } };
}
