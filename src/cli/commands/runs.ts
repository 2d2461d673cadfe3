/** `agent-patterns runs list|show <id>`: durable runs in the store. */
import type { Command } from 'commander';
import type { DurableState } from '../../durable/run.js';
import type { RunStatus } from '../../store/types.js';
import { CliError } from '../errors.js';
import { formatUsage, table, truncate } from '../format.js';
import { intOption } from '../options.js';
import { STORE_OPTION, withStore, EXISTING_STORE } from './resume.js';

const RUN_STATUSES: readonly RunStatus[] = ['running', 'suspended', 'completed', 'failed'];

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('durable runs: list, show');

  runs
    .command('list')
    .description('list durable runs, newest first')
    .option('--status <status>', 'running | suspended | completed | failed')
    .option('--limit <n>', 'at most n runs', '50')
    .option(...STORE_OPTION)
    .option('--json', 'one JSON array')
    .action(async (opts: { status?: string; limit: string; store?: string; json?: boolean }) => {
      const limit = intOption(opts.limit, '--limit', 1);
      if (opts.status !== undefined && !RUN_STATUSES.includes(opts.status as RunStatus)) throw new CliError(`--status must be one of ${RUN_STATUSES.join(', ')}, got "${opts.status}"`);
      await withStore(opts.store, async (store) => {
        const list = await store.listRuns({ ...(opts.status ? { status: opts.status as RunStatus } : {}), limit });
        if (opts.json) {
          process.stdout.write(JSON.stringify(list) + '\n');
          return;
        }
        if (list.length === 0) {
          process.stdout.write('no runs\n');
          return;
        }
        const rows = list.map((r) => {
          const s = r.state as DurableState | undefined;
          return [r.runId, r.workflow, r.status, new Date(r.updatedAt).toISOString(), s?.pending?.map((p) => p.approvalId).join(' ') || '-', truncate(r.error?.message ?? '', 50)];
        });
        process.stdout.write(table(['run', 'workflow', 'status', 'updated', 'waiting for', 'error'], rows) + '\n');
      }, EXISTING_STORE);
    });

  runs
    .command('show')
    .description('one run: status, input, output, budget used, pending approvals, audit log, trace')
    .argument('<run-id>')
    .option(...STORE_OPTION)
    .option('--json', 'one JSON object')
    .action(async (runId: string, opts: { store?: string; json?: boolean }) => {
      await withStore(opts.store, async (store) => {
        const run = await store.getRun(runId);
        if (!run) throw new CliError(`no run ${runId} in this store`, 1);
        const [approvals, audit, trace] = await Promise.all([store.listApprovals({ runId }), store.listAudit({ runId }), store.getTrace(runId)]);
        if (opts.json) {
          process.stdout.write(JSON.stringify({ run, approvals, audit, trace }) + '\n');
          return;
        }
        const s = run.state as DurableState | undefined;
        const lines = [
          `run ${run.runId} — ${run.workflow} — ${run.status}`,
          `input: ${typeof run.input === 'string' ? run.input : JSON.stringify(run.input)}`,
          `created ${new Date(run.createdAt).toISOString()}, updated ${new Date(run.updatedAt).toISOString()}, segments ${s?.segments ?? 0}`,
        ];
        if (s?.usage) lines.push(`usage: ${formatUsage(s.usage)}`);
        if (s?.activeStep && run.status === 'suspended') lines.push(`active step: ${s.activeStep}`);
        if (run.output !== undefined) lines.push(`output: ${typeof run.output === 'string' ? run.output : JSON.stringify(run.output, null, 2)}`);
        if (run.error) lines.push(`error: ${run.error.code ? `${run.error.code}: ` : ''}${run.error.message}`);
        if (approvals.length) {
          lines.push('approvals:');
          for (const a of approvals) lines.push(`  ${a.approvalId} ${a.tool}(${JSON.stringify(a.args)}) reviewer ${a.reviewer}: ${a.status}${a.decidedBy ? ` by ${a.decidedBy}` : ''}${a.comment ? ` — ${a.comment}` : ''}`);
        }
        if (audit.length) {
          lines.push('audit log:');
          for (const e of audit) lines.push(`  ${new Date(e.at).toISOString()} ${e.actor} ${e.action}${e.approvalId ? ` ${e.approvalId}` : ''}${e.detail ? ` ${truncate(JSON.stringify(e.detail), 100)}` : ''}`);
        }
        lines.push(`trace: ${trace.length} spans (${trace.filter((x) => x.kind === 'model').length} model, ${trace.filter((x) => x.kind === 'tool').length} tool)`);
        process.stdout.write(lines.join('\n') + '\n');
      }, EXISTING_STORE);
    });
}
