/** `agent-patterns sandbox run <file>`: run a JavaScript (.js/.cjs/.mjs) or Python (.py) file in the sandbox and print the result. */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { createSandbox } from '../../sandbox/sandbox.js';
import type { SandboxLanguage, SandboxResult } from '../../sandbox/types.js';
import { CliError } from '../errors.js';

interface SandboxRunFlags {
  input?: string;
  timeoutMs?: string;
  memoryMb?: string;
  cpuSeconds?: string;
  language?: string;
  allowWeakerIsolation?: boolean;
  json?: boolean;
}

export function registerSandbox(program: Command): void {
  const sandbox = program.command('sandbox').description('run code in the sandbox Reflexion uses (no network, no files outside its work dir, CPU/memory limits)');
  sandbox
    .command('run')
    .description('run a file: its main(input) is called with --input, or it runs as a script')
    .argument('<file>', 'a .js/.cjs/.mjs or .py file')
    .option('--input <json>', 'the input passed to main, as JSON', 'null')
    .option('--timeout-ms <n>', 'wall-clock limit in ms (default 5000)')
    .option('--memory-mb <n>', 'memory limit in MB (default 128)')
    .option('--cpu-seconds <n>', 'CPU limit in whole seconds (default: the timeout rounded up)')
    .option('--language <lang>', 'javascript or python (default: from the file extension)')
    .option('--allow-weaker-isolation', 'without namespaces, run with process isolation (JavaScript only, network NOT blocked)')
    .option('--json', 'print the result as one JSON object')
    .action(async (file: string, flags: SandboxRunFlags) => {
      const code = await readFile(file, 'utf8').catch((err: Error) => {
        throw new CliError(`cannot read ${file}: ${err.message}`);
      });
      let input: unknown;
      try {
        input = JSON.parse(flags.input ?? 'null');
      } catch (err) {
        throw new CliError(`--input is not valid JSON: ${(err as Error).message}`);
      }
      const language = languageOf(file, flags.language);
      const box = createSandbox({ allowWeakerIsolation: flags.allowWeakerIsolation ?? false });
      const result = await box.run({
        language,
        code,
        input,
        ...number('--timeout-ms', 'timeoutMs', flags.timeoutMs),
        ...number('--memory-mb', 'memoryMb', flags.memoryMb),
        ...number('--cpu-seconds', 'cpuSeconds', flags.cpuSeconds),
      });
      process.stdout.write(flags.json ? JSON.stringify(result) + '\n' : formatResult(result));
      // Exit 1 when the program failed (the result above says how).
      if (!result.ok) throw new CliError(`the program failed: ${result.error?.kind ?? 'error'}`, 1);
    });
}

function languageOf(file: string, flag: string | undefined): SandboxLanguage {
  if (flag !== undefined) {
    if (flag === 'javascript' || flag === 'python') return flag;
    throw new CliError(`--language must be javascript or python, got "${flag}"`);
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.py') return 'python';
  if (ext === '.js' || ext === '.cjs' || ext === '.mjs') return 'javascript';
  throw new CliError(`cannot tell the language of "${file}" from its extension; pass --language javascript|python`);
}

function number(flag: string, key: string, value: string | undefined): Record<string, number> {
  if (value === undefined) return {};
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${flag} must be a positive number, got "${value}"`);
  return { [key]: n };
}

function formatResult(r: SandboxResult): string {
  const lines = [
    `ok: ${r.ok}  (${r.language}, isolation: ${r.isolation}, ${r.durationMs.toFixed(0)} ms)`,
    `output: ${JSON.stringify(r.output)}`,
  ];
  if (r.error) lines.push(`error: ${r.error.kind}: ${r.error.message}`);
  if (r.stdout) lines.push('stdout:', r.stdout.trimEnd());
  if (r.stderr) lines.push('stderr:', r.stderr.trimEnd());
  return lines.join('\n') + '\n';
}
