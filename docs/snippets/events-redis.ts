// Scale-out: the same consumer on Redis Streams (one group, many workers) and a PostgreSQL store.
import { step } from 'agent-patterns';
import { consume } from 'agent-patterns/events';
import { openStore } from 'agent-patterns/store';
import { redisStreamSource } from 'agent-patterns/events/redis';

export async function worker() {
  const store = await openStore('postgres://app@db.internal/agents'); // shared by every worker
  const source = await redisStreamSource<{ amount: number }>({
    url: 'redis://redis.internal:6379',
    stream: 'payments',
    group: 'fraud-events',
    claimIdleMs: 30_000, // entries a dead worker left pending are claimed after this
  });
  const decide = step('decide', (p: { amount: number }) => (p.amount > 1000 ? 'flag' : 'allow'));
  const consumer = consume(source, decide, { consumer: 'fraud-events', store, concurrency: 16 });
  process.once('SIGTERM', () => void consumer.stop()); // finish in-flight, ack, then resolve
  await consumer.done;
  await source.close();
  await store.close();
}
