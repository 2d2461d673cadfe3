/**
 * The commands the CLI tells a user to run next, with the real ids and the store and model they need, so a
 * hint pasted back into the shell continues the same run in the same place.
 */
import type { RecordedModel } from '../durable/run.js';

export interface HintContext {
  /** The --store the user gave (the default or $AGENT_PATTERNS_STORE need no flag). */
  store?: string;
  /** The run's model; the scripted model needs no flag. */
  model?: RecordedModel;
}

export function approveHint(approvalId: string, reviewer: string, at: HintContext): string {
  return command(['approvals', 'approve', approvalId, '--reviewer', reviewer], at.store);
}

export function rejectHint(approvalId: string, reviewer: string, at: HintContext): string {
  return command(['approvals', 'reject', approvalId, '--reviewer', reviewer], at.store);
}

export function resumeHint(runId: string, at: HintContext): string {
  const model = at.model && at.model.spec !== 'scripted' ? ['--model', at.model.spec, ...(at.model.baseUrl ? ['--base-url', at.model.baseUrl] : [])] : [];
  return command(['resume', runId, ...model], at.store);
}

function command(args: string[], store: string | undefined): string {
  return ['npx', 'agent-patterns', ...args, ...(store ? ['--store', store] : [])].map(shellWord).join(' ');
}

/** Quoted for a POSIX shell when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
