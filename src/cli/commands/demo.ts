/** `agent-patterns demo`: every example, offline on the scripted model, as one table. */
import type { Command } from 'commander';
import { listExamples } from '../../../examples/vend/registry.js';
import { SCRIPTED_NOTICE } from '../../models/scripted.js';
import type { Store } from '../../store/types.js';
import { CliError } from '../errors.js';
import { table } from '../format.js';
import { runRecorded } from '../record-run.js';
import { STORE_OPTION, withStore } from './resume.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run every Vend example offline on the scripted model and print a table')
    .option('--json', 'one JSON line per example')
    .option(STORE_OPTION[0], 'record every run (record and trace) in this store, for `runs` and the studio')
    .action(async (opts: { json?: boolean; store?: string }) => {
      if (opts.store) return withStore(opts.store, (store) => demo(opts, store));
      return demo(opts, undefined);
    });
}

async function demo(opts: { json?: boolean }, store: Store | undefined): Promise<void> {
  const examples = await listExamples();
  // An example with an MCP variant runs twice: with its own tools, then with them from an MCP server (--mcp).
  const runs = examples.flatMap((ex) => [{ ex, mcp: false }, ...(ex.mcp ? [{ ex, mcp: true }] : [])]);
  const rows: (string | number)[][] = [];
  let failures = 0;
  let skipped = 0;
  for (const { ex, mcp } of runs) {
    const t0 = performance.now();
    const label = mcp ? `${ex.name} --mcp` : ex.name;
    try {
      const options = mcp ? { mcp } : {};
      const out = store ? await runRecorded(ex, ex.defaultInput, options, store) : await ex.run(ex.defaultInput, options);
      const u = out.result.usage;
      const ms = Math.round(performance.now() - t0);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ example: label, pattern: ex.pattern, scripted: out.result.scripted, outcome: out.outcome, usage: u, ms }) + '\n');
      }
      rows.push([label, `${ex.pattern} ${ex.patternName}`, out.outcome, u.modelTurns, u.toolCalls, u.inputTokens + u.outputTokens, ms]);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      // The MCP variant needs an optional peer (@modelcontextprotocol/sdk): an installed app without it skips the row.
      if (mcp && (err as { code?: unknown } | null)?.code === 'MCP_UNAVAILABLE') {
        skipped++;
        if (opts.json) process.stdout.write(JSON.stringify({ example: label, pattern: ex.pattern, skipped: msg }) + '\n');
        rows.push([label, `${ex.pattern} ${ex.patternName}`, `skipped: ${msg}`, '-', '-', '-', '-']);
        continue;
      }
      failures++;
      if (opts.json) process.stdout.write(JSON.stringify({ example: label, pattern: ex.pattern, error: msg }) + '\n');
      rows.push([label, `${ex.pattern} ${ex.patternName}`, `FAILED: ${msg}`, '-', '-', '-', Math.round(performance.now() - t0)]);
    }
  }
  if (!opts.json) {
    const overMcp = runs.length - examples.length - skipped;
    process.stdout.write(`Vend demo — ${examples.length} examples, offline (${overMcp} also with their tools over MCP, stdio). [${SCRIPTED_NOTICE}]\n\n`);
    process.stdout.write(table(['example', 'pattern', 'outcome', 'model turns', 'tool calls', 'tokens', 'ms'], rows) + '\n');
  }
  if (failures) throw new CliError(`${failures} example(s) failed`, 1);
}
