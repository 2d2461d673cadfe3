/**
 * The CLI's logs: quiet by default (errors only), human-readable lines on stderr, `--verbose` for retries and
 * per-run detail, `--log-format json` for pino's JSON lines. AGENT_PATTERNS_LOG_LEVEL still wins over both.
 * The flags are global: taken out of argv before commander sees the subcommand, wherever they stand.
 */
import { pino } from 'pino';
import { setDefaultLogger } from '../core/logger.js';
import { PINO_REDACT_PATHS, REDACTED } from '../core/redact.js';
import { CliError } from './errors.js';

export const LOG_OPTIONS_HELP = [
  ['--verbose', 'show retries, warnings and per-run detail on stderr (default: errors only)'],
  ['--log-format <pretty|json>', 'log lines as text (default) or as JSON'],
] as const;

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** Fields every line has; the rest are shown as key=value. */
const ENVELOPE = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg']);

/** Removes the logging flags from argv and installs the logger they ask for; returns the rest of argv. */
export function configureLogging(argv: readonly string[]): string[] {
  const rest: string[] = [];
  let verbose = false;
  let format = 'pretty';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--verbose') verbose = true;
    else if (arg === '--log-format') format = argv[++i] ?? '';
    else if (arg.startsWith('--log-format=')) format = arg.slice('--log-format='.length);
    else rest.push(arg);
  }
  if (format !== 'pretty' && format !== 'json') throw new CliError(`--log-format must be pretty or json, got "${format}"`);
  const level = process.env.AGENT_PATTERNS_LOG_LEVEL ?? (verbose ? 'debug' : 'error');
  const options = { name: 'agent-patterns', level, redact: { paths: PINO_REDACT_PATHS, censor: REDACTED } };
  setDefaultLogger(format === 'json' ? pino(options, pino.destination({ dest: 2, sync: true })) : pino(options, { write: (line: string) => void process.stderr.write(prettyLine(line)) }));
  return rest;
}

/** One pino JSON line → "warn  model call failed; retrying  provider=openai attempt=1". */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const fields = Object.entries(entry)
    .filter(([k]) => !ENVELOPE.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const level = LEVEL_NAMES[entry.level as number] ?? String(entry.level);
  return `${level.padEnd(5)} ${String(entry.msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}\n`;
}
