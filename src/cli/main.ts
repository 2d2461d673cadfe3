/**
 * The `agent-patterns` command. Each subcommand lives in commands/ and is
 * registered here; errors print one line and exit non-zero.
 */
import { Command, CommanderError } from 'commander';
import { AgentPatternsError } from '../core/errors.js';
import { scrubText } from '../core/secrets.js';
import { CliError } from './errors.js';
import { packageVersion } from './version.js';
import { configureLogging, LOG_OPTIONS_HELP } from './logging.js';
import { registerDemo } from './commands/demo.js';
import { registerList } from './commands/list.js';
import { registerRun } from './commands/run.js';
import { registerWorker } from './commands/worker.js';
import { registerEvents } from './commands/events.js';
import { registerDecisions } from './commands/decisions.js';
import { registerApprovals } from './commands/approvals.js';
import { registerRuns } from './commands/runs.js';
import { registerResume } from './commands/resume.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerMcp } from './commands/mcp.js';
import { registerEval } from './commands/eval.js';
import { registerSessions } from './commands/sessions.js';
import { registerStudio } from './commands/studio.js';
import { listExamples } from '../../examples/vend/registry.js';
import type { VendExample } from '../../examples/vend/types.js';


/** `examples` (loaded only when help is asked for) lets `run --help` list each example's input. */
export function buildProgram(examples?: readonly VendExample[]): Command {
  const program = new Command('agent-patterns')
    .description('The fifteen agent design patterns as composable primitives, with runnable Vend examples.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const [flags, description] of LOG_OPTIONS_HELP) program.option(flags, description);
  registerDemo(program);
  registerRun(program, examples);
  registerList(program);
  registerSandbox(program);
  registerWorker(program);
  registerEvents(program);
  registerDecisions(program);
  registerApprovals(program);
  registerRuns(program);
  registerResume(program);
  registerMcp(program);
  registerEval(program);
  registerSessions(program);
  registerStudio(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    argv = configureLogging(argv);
    const wantsHelp = argv.includes('--help') || argv.includes('-h') || argv.slice(2)[0] === 'help';
    const program = buildProgram(wantsHelp ? await listExamples() : undefined);
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      process.stderr.write(`agent-patterns: ${scrubText(err.message)}\n`);
      return err.exitCode;
    }
    const msg = err instanceof AgentPatternsError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`agent-patterns: ${scrubText(msg)}\n`);
    return 1;
  }
}

