/**
 * `agent-patterns events publish <redis://host:port/stream> --file events.jsonl`
 * appends events to a stream (fields id + data, what workers read), and
 * `agent-patterns events generate` writes a burst of fraud events as JSONL.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { generateFraudEvents } from '../../../examples/vend/fraud-events.js';
import { CliError } from '../errors.js';
import { intOption } from '../options.js';

export function registerEvents(program: Command): void {
  const events = program.command('events').description('publish or generate events for `agent-patterns worker`');

  events
    .command('publish')
    .description('append JSONL events to a Redis stream (event id from "event_id" or "id")')
    .argument('<redis-url/stream>', 'redis://host:port/stream')
    .option('--file <events.jsonl>', 'events, one JSON object per line (default: stdin)')
    .action(async (target: string, opts: { file?: string }) => {
      const { parseRedisStreamUrl, redisPublisher } = await import('../../events/redis-streams.js');
      const { url, stream } = parseRedisStreamUrl(target, 'target');
      const publisher = await redisPublisher(url, stream);
      try {
        const lines = createInterface({ input: opts.file ? createReadStream(opts.file) : process.stdin, crlfDelay: Infinity });
        const batch: { id: string; payload: unknown }[] = [];
        let n = 0;
        let lineNo = 0;
        for await (const line of lines) {
          lineNo++;
          if (!line.trim()) continue;
          let obj: Record<string, unknown>;
          try {
            obj = JSON.parse(line) as Record<string, unknown>;
          } catch {
            throw new CliError(`line ${lineNo} is not JSON`, 1);
          }
          const id = obj.event_id ?? obj.id;
          if (typeof id !== 'string' || !id) throw new CliError(`line ${lineNo} has no string "event_id" or "id"`, 1);
          batch.push({ id, payload: obj });
          if (batch.length === 500) n += await publisher.publishMany(batch.splice(0));
        }
        n += await publisher.publishMany(batch);
        process.stdout.write(`published ${n} events to ${stream}\n`);
      } finally {
        await publisher.close();
      }
    });

  events
    .command('generate')
    .description('print a deterministic burst of fraud events as JSONL (with duplicates)')
    .option('--count <n>', 'events, duplicates included', '200')
    .option('--duplicates <rate>', 'share of events that repeat an earlier one', '0.1')
    .option('--seed <n>', 'random seed', '15')
    .option('--prefix <prefix>', 'event id prefix', 'evt')
    .action((opts: { count: string; duplicates: string; seed: string; prefix: string }) => {
      const rate = Number(opts.duplicates);
      if (!(rate >= 0 && rate < 1)) throw new CliError(`--duplicates: expected a number in [0, 1), got "${opts.duplicates}"`);
      const events = generateFraudEvents(intOption(opts.count, '--count', 1), { duplicateRate: rate, seed: intOption(opts.seed, '--seed', 0), prefix: opts.prefix });
      process.stdout.write(events.map((e) => JSON.stringify(e.payload)).join('\n') + '\n');
    });
}
