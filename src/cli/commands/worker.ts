/**
 * `agent-patterns worker`: the fraud-events agent (pattern 15) as a
 * long-running consumer. Sources: a JSONL file or stdin (memory), a signed
 * webhook (accepted events kept in the store's inbox), or a Redis Streams
 * consumer group shared by any number of workers. SIGTERM / SIGINT stop it
 * gracefully: no new events are taken in (a webhook answers 503), in-flight
 * events are finished and acked, the stats line says how many are left for the
 * next worker, exit 0. Redis unreachable for longer than --redis-down-ms ends
 * it with exit 1 (unhealthy).
 */
import { constants, createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { fraudAnalystScript, fraudDecisionStep, FraudEventSchema, type FraudDecision, type FraudEvent } from '../../../examples/vend/fraud-events.js';
import { errorMessage } from '../../core/errors.js';
import { consume, type ConsumeStats, type Consumer, type EventDecision } from '../../events/consume.js';
import { memorySource } from '../../events/memory.js';
import type { EventSource } from '../../events/source.js';
import { openStore } from '../../store/open.js';
import { CliError } from '../errors.js';
import { intOption } from '../options.js';
import { addModelOptions, modelFromOptions } from '../model-option.js';

export const WEBHOOK_SECRET_ENV = 'AGENT_PATTERNS_WEBHOOK_SECRET';

interface WorkerOptions {
  source?: string;
  group: string;
  name?: string;
  concurrency: string;
  store?: string;
  file?: string;
  output?: string;
  claimIdleMs: string;
  blockMs: string;
  timeoutMs: string;
  retries: string;
  redisDownMs: string;
  connectTimeoutMs: string;
  delayMs?: string;
  model?: string;
  baseUrl?: string;
}

export function registerWorker(program: Command): void {
  addModelOptions(
    program
      .command('worker')
      .description('consume events and decide each once (fraud-events agent); SIGTERM stops it gracefully')
      .option('--source <source>', 'memory (JSONL from --file or stdin), webhook://host:port, or redis://host:port/stream (default: memory when --file is given)')
      .option('--group <group>', 'consumer group, also the idempotency scope of decisions', 'fraud-events')
      .option('--name <name>', 'this worker\'s name in the Redis group or the webhook inbox (default: host-pid-random; webhook: webhook@hostname:port)')
      .option('--concurrency <n>', 'events handled at once', '8')
      .option('--store <file|postgres-url>', 'decision store (default: $AGENT_PATTERNS_STORE or the default SQLite file)')
      .option('--file <events.jsonl>', 'memory source: read events from this file instead of stdin')
      .option('--output <stream>', 'redis source: stream decisions are published to (default: <stream>:decisions)')
      .option('--claim-idle-ms <ms>', 'redis source: claim entries pending this long on another (dead) worker', '30000')
      .option('--block-ms <ms>', 'redis source: longest wait of one read (also the longest stop delay)', '1000')
      .option('--timeout-ms <ms>', 'time limit of one attempt at one event', '60000')
      .option('--retries <n>', 'retries before an event is dead-lettered', '3')
      .option('--redis-down-ms <ms>', 'redis source: exit 1 (unhealthy) when Redis is unreachable this long', '30000')
      .option('--connect-timeout-ms <ms>', 'redis source: longest wait for the first connection', '5000')
      .option('--delay-ms <ms>', 'scripted model: wait this long per call (load tests)'),
  ).action(async (opts: WorkerOptions) => {
    const sourceSpec = opts.source ?? (opts.file ? 'memory' : undefined);
    if (!sourceSpec) throw new CliError('--source is required (memory, webhook://host:port or redis://host:port/stream), or give --file');
    if (opts.file && sourceSpec !== 'memory') throw new CliError(`--file reads events for the memory source; --source is "${sourceSpec}"`);
    // A file that cannot be read is refused before anything starts (and before the store is opened).
    if (opts.file) await access(opts.file, constants.R_OK).catch((err: NodeJS.ErrnoException) => {
      throw new CliError(`--file: cannot read ${opts.file}: ${err.code === 'ENOENT' ? 'no such file' : err.code ?? errorMessage(err)}`);
    });
    const concurrency = intOption(opts.concurrency, '--concurrency', 1);
    const model = (await modelFromOptions(opts)) ?? fraudAnalystScript(opts.delayMs ? { delayMs: intOption(opts.delayMs, '--delay-ms', 0) } : {});
    const store = await openStore(opts.store);
    let source: EventSource<FraudEvent> | undefined;
    let publish: ((d: EventDecision<FraudDecision>) => Promise<void> | void) | undefined;
    let closePublisher: (() => Promise<void>) | undefined;
    const stopSignals = new AbortController();
    let consumer: Consumer | undefined;
    let readFailure: string | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`worker: ${signal}: taking no new events, finishing ${consumer?.stats.inFlight ?? 0} in flight\n`);
      stopSignals.abort();
    };
    try {
      if (sourceSpec === 'memory') {
        source = jsonlSource(opts.file, (reason) => (readFailure = reason));
        publish = (d) => void process.stdout.write(JSON.stringify(d.decision) + '\n');
      } else if (sourceSpec.startsWith('webhook://')) {
        const { host, port } = hostPort(sourceSpec, '--source');
        const secret = process.env[WEBHOOK_SECRET_ENV];
        if (!secret) throw new CliError(`webhook source needs the shared secret in $${WEBHOOK_SECRET_ENV}`);
        const { webhookSource } = await import('../../events/webhook.js');
        // Accepted events are stored in the inbox of this group; a worker restarted on the same host and port takes over at once.
        const hook = await webhookSource<FraudEvent>({
          secret, host, port, schema: FraudEventSchema, idOf: (e) => e.event_id,
          store, inbox: opts.group, owner: opts.name ?? `webhook@${hostname()}:${port}`,
        });
        process.stderr.write(`listening on ${hook.url}\n`);
        source = hook;
        publish = (d) => void process.stdout.write(JSON.stringify(d.decision) + '\n');
      } else if (/^rediss?:\/\//.test(sourceSpec)) {
        const { parseRedisStreamUrl, redisPublisher, redisStreamSource } = await import('../../events/redis-streams.js');
        const { url, stream } = parseRedisStreamUrl(sourceSpec, '--source');
        const connectTimeoutMs = intOption(opts.connectTimeoutMs, '--connect-timeout-ms', 1);
        source = await redisStreamSource<FraudEvent>({
          url,
          stream,
          group: opts.group,
          ...(opts.name ? { consumerName: opts.name } : {}),
          claimIdleMs: intOption(opts.claimIdleMs, '--claim-idle-ms', 1),
          blockMs: intOption(opts.blockMs, '--block-ms', 1),
          maxDownMs: intOption(opts.redisDownMs, '--redis-down-ms', 1),
          connectTimeoutMs,
        });
        const out = await redisPublisher(url, opts.output ?? `${stream}:decisions`, { connectTimeoutMs });
        publish = async (d) => void (await out.publish(d.eventId, d.decision));
        closePublisher = () => out.close();
      } else {
        throw new CliError(`--source: expected memory, webhook://host:port or redis://host:port/stream, got "${sourceSpec}"`);
      }

      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      process.stderr.write(`worker: consuming ${source.name} as group "${opts.group}", concurrency ${concurrency}, ${store.kind} store\n`);
      consumer = consume(source, fraudDecisionStep(model), {
        consumer: opts.group,
        store,
        concurrency,
        timeoutMs: intOption(opts.timeoutMs, '--timeout-ms', 1),
        retries: intOption(opts.retries, '--retries', 0),
        publish,
        signal: stopSignals.signal,
      });
      let stats: ConsumeStats;
      try {
        stats = await consumer.done;
      } catch (err) {
        throw new CliError(errorMessage(err), 1);
      }
      // What was accepted and is not done with yet: kept by a durable source for the next worker.
      const left = (await source.remaining?.().catch(() => undefined)) ?? null;
      process.stderr.write(`worker: stopped ${JSON.stringify({ ...stats, left })}\n`);
      if (readFailure) throw new CliError(readFailure, 1);
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await source?.close?.().catch((err: unknown) => process.stderr.write(`worker: closing the source: ${errorMessage(err)}\n`));
      await closePublisher?.().catch(() => {});
      await store.close();
    }
  });
}

/** JSONL events (one FraudEvent per line) from a file or stdin, as a memory source that ends at EOF. */
function jsonlSource(file: string | undefined, onReadFailure: (reason: string) => void): EventSource<FraudEvent> {
  const src = memorySource<FraudEvent>({ name: file ? `file:${file}` : 'stdin' });
  const input = file ? createReadStream(file) : process.stdin;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  // Fed in the background: the consumer starts on the first line.
  void (async () => {
    try {
      for await (const line of lines) {
        n++;
        if (!line.trim()) continue;
        let obj: Record<string, unknown>;
        try {
          obj = JSON.parse(line) as Record<string, unknown>;
        } catch {
          process.stderr.write(`worker: line ${n} is not JSON; skipped\n`);
          continue;
        }
        const id = String(obj.event_id ?? obj.id ?? `line-${n}`);
        src.push(id, obj as FraudEvent);
      }
    } catch (err) {
      onReadFailure(`reading events from ${file ?? 'stdin'} failed: ${errorMessage(err)}`);
    } finally {
      src.end();
    }
  })();
  return src;
}

function hostPort(source: string, field: string): { host: string; port: number } {
  const u = new URL(source);
  const port = Number(u.port);
  if (!u.hostname || !Number.isInteger(port) || port <= 0) throw new CliError(`${field}: expected webhook://host:port, got "${source}"`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}
