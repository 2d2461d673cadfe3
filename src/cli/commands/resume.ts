/**
 * `agent-patterns resume <run-id>`: continue a suspended or crashed durable
 * run in this process. Also home of the CLI's durable-workflow registry (the
 * Vend examples that run durably) and of `run <example> --durable`.
 */
import type { Command } from 'commander';
import type { Model } from '../../core/model.js';
import { WorkflowRegistry } from '../../durable/registry.js';
import { durableRun, resumeRun, type DurableResult } from '../../durable/run.js';
import { SCRIPTED_NOTICE } from '../../models/scripted.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/types.js';
import { CliError } from '../errors.js';
import { formatUsage } from '../format.js';
import { addModelOptions, modelFromOptions } from '../model-option.js';

export const STORE_OPTION = ['--store <path|url>', 'state store: a SQLite file or a postgres:// URL (default ./.agent-patterns/state.db, or $AGENT_PATTERNS_STORE)'] as const;

/** The Vend examples that can run durably, by workflow name (loaded on use, not at CLI start-up). */
export async function vendWorkflows(options: { model?: Model } = {}): Promise<WorkflowRegistry> {
  const [{ refundApprovalDefinition }, { refundOrchestratorDefinition }] = await Promise.all([
    import('../../../examples/vend/refund-approval.js'),
    import('../../../examples/vend/refund-orchestrator.js'),
  ]);
  return new WorkflowRegistry([refundApprovalDefinition(options), refundOrchestratorDefinition(options)]);
}

export async function withStore<T>(target: string | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(target);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `run <example> --durable`: starts the example as a durable run; approvals suspend it for a real reviewer. */
export async function runDurableExample(name: string, input: string, opts: { store?: string; json?: boolean; model?: Model; modelName?: string }): Promise<void> {
  const registry = await vendWorkflows(opts.model ? { model: opts.model } : {});
  const def = registry.get(name);
  if (!def) throw new CliError(`example "${name}" has no durable workflow; durable examples: ${registry.names().join(', ')}`);
  await withStore(opts.store, async (store) => {
    const result = await durableRun(def.name, def.step, input, { store, ...(def.version ? { version: def.version } : {}), ...(def.reconcilers ? { reconcilers: def.reconcilers } : {}) });
    printDurable(result, opts);
  });
}

export function printDurable(result: DurableResult<unknown>, opts: { json?: boolean; modelName?: string }): void {
  if (opts.json) {
    const base = { runId: result.runId, status: result.status, scripted: result.scripted, usage: result.usage };
    const extra = result.status === 'completed' ? { output: result.output } : { pending: result.pending };
    process.stdout.write(JSON.stringify({ ...base, ...extra }) + '\n');
    return;
  }
  const lines = [result.scripted ? `[${SCRIPTED_NOTICE}]` : `[model: ${opts.modelName ?? 'real'}]`, `run id: ${result.runId}`, `status: ${result.status}`];
  if (result.status === 'suspended') {
    lines.push('waiting for (no process is waiting; the state is in the store):');
    for (const a of result.pending) {
      lines.push(`  ${a.approvalId}  ${a.tool}(${JSON.stringify(a.args)})  reviewer: ${a.reviewer}${a.deadline ? `  deadline: ${new Date(a.deadline).toISOString()}` : ''}`);
      if (a.recommendation) lines.push(`    recommendation: ${a.recommendation}`);
    }
    lines.push(
      'decide with: agent-patterns approvals approve <id> --reviewer <name> [--comment ...]   (or: approvals reject ...)',
      `then:        agent-patterns resume ${result.runId}`,
    );
  } else {
    lines.push('', typeof result.output === 'string' ? result.output : JSON.stringify(result.output, null, 2));
  }
  lines.push(`usage: ${formatUsage(result.usage)}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function registerResume(program: Command): void {
  addModelOptions(
    program
      .command('resume')
      .description('continue a suspended or crashed durable run (applies overdue escalations first)')
      .argument('<run-id>', 'the run to resume')
      .option(...STORE_OPTION)
      .option('--json', 'print one JSON object'),
  ).action(async (runId: string, opts: { store?: string; json?: boolean; model?: string; baseUrl?: string }) => {
    const model = await modelFromOptions(opts);
    await withStore(opts.store, async (store) => {
      const result = await resumeRun(runId, { store, registry: await vendWorkflows(model ? { model } : {}) });
      printDurable(result, { ...(opts.json ? { json: true } : {}), ...(opts.model ? { modelName: opts.model } : {}) });
    });
  });
}
