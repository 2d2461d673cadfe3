/** `agent-patterns approvals list|approve|reject`: the reviewer's side of pattern 11. */
import type { Command } from 'commander';
import type { DurableState } from '../../durable/run.js';
import { decideApproval } from '../../hitl/decide.js';
import { sweepApprovals } from '../../hitl/sweep.js';
import type { ApprovalStatus } from '../../store/types.js';
import { CliError } from '../errors.js';
import { table, truncate } from '../format.js';
import { resumeHint } from '../hints.js';
import { STORE_OPTION, withStore, EXISTING_STORE } from './resume.js';

const STATUSES: ApprovalStatus[] = ['pending', 'approved', 'rejected', 'expired'];

export function registerApprovals(program: Command): void {
  const approvals = program.command('approvals').description('human approvals of durable runs: list, approve, reject');

  approvals
    .command('list')
    .description('list approvals (pending by default); overdue ones are escalated first')
    .option('--status <status>', `pending | approved | rejected | expired | all (default pending)`)
    .option('--run <run-id>', 'only this run')
    .option(...STORE_OPTION)
    .option('--json', 'one JSON array')
    .action(async (opts: { status?: string; run?: string; store?: string; json?: boolean }) => {
      const status = opts.status ?? 'pending';
      if (status !== 'all' && !STATUSES.includes(status as ApprovalStatus)) throw new CliError(`--status must be one of ${STATUSES.join(', ')}, all`);
      await withStore(opts.store, async (store) => {
        const swept = await sweepApprovals(store);
        const list = await store.listApprovals({ ...(status !== 'all' ? { status: status as ApprovalStatus } : {}), ...(opts.run ? { runId: opts.run } : {}) });
        if (opts.json) {
          process.stdout.write(JSON.stringify(list) + '\n');
          return;
        }
        for (const s of swept) process.stdout.write(`timeout: ${s.approvalId} ${s.action}${s.reviewer ? ` → ${s.reviewer}` : ''}\n`);
        if (list.length === 0) {
          process.stdout.write(`no ${status === 'all' ? '' : `${status} `}approvals\n`);
          return;
        }
        const rows = list.map((a) => [
          a.approvalId, a.runId, `${a.tool}(${truncate(JSON.stringify(a.args), 40)})`, a.reviewer, a.status,
          a.deadline ? new Date(a.deadline).toISOString() : '-', truncate(a.recommendation ?? '', 60),
        ]);
        process.stdout.write(table(['id', 'run', 'call', 'reviewer', 'status', 'deadline', 'recommendation'], rows) + '\n');
      }, EXISTING_STORE);
    });

  for (const decision of ['approve', 'reject'] as const) {
    approvals
      .command(decision)
      .description(`${decision} a pending approval (only its assigned reviewer; recorded in the audit log)`)
      .argument('<id>', 'approval id (see `approvals list`)')
      .requiredOption('--reviewer <name>', 'who decides (must be the assigned reviewer)')
      .option('--comment <text>', 'why; shown to the run and kept in the audit log')
      .option(...STORE_OPTION)
      .option('--json', 'print the decided approval as JSON')
      .action(async (id: string, opts: { reviewer: string; comment?: string; store?: string; json?: boolean }) => {
        await withStore(opts.store, async (store) => {
          const decided = await decideApproval(store, id, { decision, reviewer: opts.reviewer, ...(opts.comment ? { comment: opts.comment } : {}) });
          if (opts.json) process.stdout.write(JSON.stringify(decided) + '\n');
          else {
            const model = ((await store.getRun(decided.runId))?.state as DurableState | undefined)?.model;
            const next = resumeHint(decided.runId, { ...(opts.store ? { store: opts.store } : {}), ...(model ? { model } : {}) });
            process.stdout.write(`${decided.approvalId} ${decided.status} by ${decided.decidedBy}; resume the run with: ${next}\n`);
          }
        }, EXISTING_STORE);
      });
  }
}
