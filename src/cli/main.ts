/**
 * The `agent-patterns` command. Each subcommand lives in commands/ and is
 * registered here; errors print one line and exit non-zero.
 */
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { AgentPatternsError } from '../core/errors.js';
import { CliError } from './errors.js';
import { registerDemo } from './commands/demo.js';
import { registerList } from './commands/list.js';
import { registerRun } from './commands/run.js';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('agent-patterns')
    .description('The fifteen agent design patterns as composable primitives, with runnable Vend examples.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerRun(program);
  registerList(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      process.stderr.write(`agent-patterns: ${err.message}\n`);
      return err.exitCode;
    }
    const msg = err instanceof AgentPatternsError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`agent-patterns: ${msg}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
