/** `agent-patterns sessions list | show <id> | delete <id>`: conversations kept in the store. */
import type { Command } from 'commander';
import { textOf, type Message } from '../../core/messages.js';
import { CliError } from '../errors.js';
import { table, truncate } from '../format.js';
import { STORE_OPTION, withStore } from './resume.js';

/** Whose sessions the CLI works on when --owner is not given (the local user of the CLI). */
export const CLI_OWNER = 'local';
export const OWNER_OPTION = ['--owner <id>', `the session's owner (user or tenant id; default "${CLI_OWNER}")`, CLI_OWNER] as const;

export function registerSessions(program: Command): void {
  const sessions = program.command('sessions').description('conversations kept in the store: list, show, delete');

  sessions
    .command('list')
    .description("one owner's sessions, most recently used first (--all-owners: everyone's, for operators)")
    .option(...OWNER_OPTION)
    .option('--all-owners', "list every owner's sessions")
    .option(...STORE_OPTION)
    .option('--json', 'one JSON array')
    .action(async (opts: { owner: string; allOwners?: boolean; store?: string; json?: boolean }) => {
      await withStore(opts.store, async (store) => {
        const list = await store.listSessions(opts.allOwners ? undefined : opts.owner);
        if (opts.json) return void process.stdout.write(JSON.stringify(list) + '\n');
        if (list.length === 0) return void process.stdout.write('no sessions\n');
        const rows = list.map((s) => [s.owner, s.sessionId, s.messageCount, new Date(s.updatedAt).toISOString(), s.summary ? 'yes' : '-', s.holder && (s.heldUntil ?? 0) > Date.now() ? s.holder : '-']);
        process.stdout.write(table(['owner', 'session', 'messages', 'updated', 'summary', 'in use by'], rows) + '\n');
      });
    });

  sessions
    .command('show')
    .description('one session: its messages in order')
    .argument('<session-id>')
    .option(...OWNER_OPTION)
    .option(...STORE_OPTION)
    .option('--json', 'one JSON object')
    .action(async (sessionId: string, opts: { owner: string; store?: string; json?: boolean }) => {
      await withStore(opts.store, async (store) => {
        const session = await store.getSession(opts.owner, sessionId);
        if (!session) throw new CliError(`no session ${sessionId} of owner ${opts.owner} in this store`, 1);
        const messages = await store.sessionMessages(opts.owner, sessionId);
        if (opts.json) return void process.stdout.write(JSON.stringify({ session, messages }) + '\n');
        const lines = [`session ${sessionId} — owner ${opts.owner} — ${messages.length} messages, updated ${new Date(session.updatedAt).toISOString()}`];
        const summary = session.summary as { text?: string; covered?: number } | undefined;
        if (summary?.text) lines.push(`summary of the first ${summary.covered} messages: ${truncate(summary.text, 300)}`);
        for (const m of messages) lines.push(formatMessage(m));
        process.stdout.write(lines.join('\n') + '\n');
      });
    });

  sessions
    .command('delete')
    .description('delete one session and its messages')
    .argument('<session-id>')
    .option(...OWNER_OPTION)
    .option(...STORE_OPTION)
    .action(async (sessionId: string, opts: { owner: string; store?: string }) => {
      await withStore(opts.store, async (store) => {
        if (!(await store.deleteSession(opts.owner, sessionId))) throw new CliError(`no session ${sessionId} of owner ${opts.owner} in this store`, 1);
        process.stdout.write(`deleted session ${sessionId}\n`);
      });
    });
}

function formatMessage(m: Message): string {
  if (m.role === 'tool') return `  tool ${m.toolName}${m.isError ? ' (error)' : ''}: ${truncate(textOf(m.content), 200)}`;
  if (m.role === 'assistant' && m.toolCalls?.length) return `  assistant → ${m.toolCalls.map((c) => `${c.name}(${truncate(c.arguments, 120)})`).join(', ')}${m.content ? ` ${m.content}` : ''}`;
  return `  ${m.role}: ${textOf(m.content)}${typeof m.content === 'string' ? '' : ` [${m.content.filter((p) => p.type !== 'text').length} attachment(s)]`}`;
}
