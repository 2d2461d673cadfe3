/** `agent-patterns decisions list`: the decisions (and dead letters) in the store. */
import type { Command } from 'commander';
import { describeIssues } from '../../events/consume.js';
import { table, truncate } from '../format.js';
import { withStore, EXISTING_STORE } from './resume.js';
import { intOption } from '../options.js';

export function registerDecisions(program: Command): void {
  const decisions = program.command('decisions').description('decisions of event consumers, from the store');
  decisions
    .command('list')
    .description('list stored decisions, oldest first')
    .option('--store <file|postgres-url>', 'the store (default: $AGENT_PATTERNS_STORE or the default SQLite file)')
    .option('--consumer <name>', 'only this consumer (the worker\'s --group)')
    .option('--limit <n>', 'at most this many', '100')
    .option('--dead-letters', 'list dead letters instead')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { store?: string; consumer?: string; limit: string; deadLetters?: boolean; json?: boolean }) => {
      // A bad --limit is refused before the store is opened (opening the default SQLite store creates its file).
      const limit = intOption(opts.limit, '--limit', 1);
      await withStore(opts.store, async (store) => {
        if (opts.deadLetters) {
          const letters = (await store.listDeadLetters(opts.consumer ? { consumer: opts.consumer } : {})).slice(0, limit);
          if (opts.json) return void process.stdout.write(letters.map((l) => JSON.stringify(l) + '\n').join(''));
          process.stdout.write(table(['consumer', 'event', 'attempts', 'error'], letters.map((l) => [l.consumer, l.eventId, l.attempts, truncate(oneLine(l.error), 80)])) + '\n');
          return;
        }
        const rows = await store.listDecisions({ ...(opts.consumer ? { consumer: opts.consumer } : {}), limit });
        if (opts.json) return void process.stdout.write(rows.map((r) => JSON.stringify(r) + '\n').join(''));
        const total = await store.countDecisions(opts.consumer);
        process.stdout.write(
          table(
            ['consumer', 'event', 'decision', 'decided at'],
            rows.map((r) => [r.consumer, r.eventId, truncate(summarize(r.decision), 80), new Date(r.decidedAt).toISOString()]),
          ) + `\n${rows.length} of ${total} decision(s)\n`,
        );
      }, EXISTING_STORE);
    });
}

/** A table cell holds one line: a zod issue dump (as stored by older versions) is summarised, anything else folded. */
function oneLine(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: plain text
  }
  return describeIssues(parsed) ?? text.replace(/\s*\n\s*/g, ' ').trim();
}

function summarize(decision: unknown): string {
  if (decision && typeof decision === 'object' && 'action' in decision) {
    const d = decision as { action: unknown; reasoning?: unknown };
    return `${String(d.action)}${d.reasoning ? ` — ${String(d.reasoning)}` : ''}`;
  }
  return JSON.stringify(decision);
}
