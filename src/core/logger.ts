/**
 * Structured logs through pino, secrets redacted. The level comes from
 * AGENT_PATTERNS_LOG_LEVEL (default "warn": retries, budget stops and tool
 * failures show; per-turn detail is "debug").
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { PINO_REDACT_PATHS, REDACTED } from './redact.js';
import { scrubText } from './secrets.js';

export type { Logger };

let fallback: Logger | undefined;

export function createLogger(options: { level?: string; destination?: number | string } = {}): Logger {
  const level = options.level ?? process.env.AGENT_PATTERNS_LOG_LEVEL ?? 'warn';
  // pino loads with the first logger, not with the library: a run that logs nothing never needs it.
  const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
  const out = pino.destination({ dest: options.destination ?? 2, sync: false });
  // Names are redacted by pino; secret values inside messages and errors are scrubbed from each finished line.
  const scrubbed = { write: (line: string) => out.write(scrubText(line)), flush: (cb?: (err?: Error) => void) => out.flush(cb) };
  return pino({ name: 'agent-patterns', level, redact: { paths: PINO_REDACT_PATHS, censor: REDACTED } }, scrubbed);
}

/** The process-wide logger used when a run is given none (created on first use). */
export function defaultLogger(): Logger {
  return (fallback ??= createLogger());
}

/** Replaces the process-wide logger (the CLI sets its own level and format once, at start). */
export function setDefaultLogger(logger: Logger): void {
  fallback = logger;
}
