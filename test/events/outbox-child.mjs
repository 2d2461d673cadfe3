// A worker process for the outbox crash test. argv: <build dir> <store target> <consumer> <published file> <event ids, comma-separated>
// With CRASH_AT=<event id> it SIGKILLs itself after that event's decision is stored and before it is published.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [build, target, consumer, publishedFile, ids] = process.argv.slice(2);
const load = (p) => import(pathToFileURL(join(build, p)).href);
const { openStore } = await load('src/store/open.js');
const { consume } = await load('src/events/consume.js');
const { memorySource } = await load('src/events/memory.js');
const { createLogger } = await load('src/core/logger.js');

const store = await openStore(target);
const source = memorySource();
for (const id of ids.split(',')) source.push(id, { id });
source.end();
const stats = await consume(source, (p) => ({ action: 'allow', for: p.id }), {
  consumer,
  store,
  concurrency: 1,
  logger: createLogger({ level: 'silent' }),
  publish: (d) => {
    if (process.env.CRASH_AT === d.eventId) process.kill(process.pid, 'SIGKILL'); // stored, not yet published
    appendFileSync(publishedFile, `${d.eventId}\n`);
  },
}).done;
await store.close();
process.stdout.write(`${JSON.stringify(stats)}\n`);
