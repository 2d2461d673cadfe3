/** `agent-patterns list`: the examples with their pattern. */
import type { Command } from 'commander';
import { listExamples } from '../../../examples/vend/registry.js';
import { table } from '../format.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list the Vend examples and the pattern each one shows')
    .action(async () => {
      const rows = (await listExamples()).map((e) => [e.name, `${e.pattern} ${e.patternName}`, e.summary]);
      process.stdout.write(table(['example', 'pattern', 'what it does'], rows) + '\n');
    });
}
