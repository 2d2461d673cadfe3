/**
 * `agent-patterns resume <run-id>`: continue a suspended or crashed durable
 * run in this process. Also home of the CLI's durable-workflow registry (the
 * Vend examples that run durably) and of `run <example> --durable`.
 */
import type { Command } from 'commander';
import type { Model } from '../../core/model.js';
import { WorkflowRegistry } from '../../durable/registry.js';
import { durableRun, resumeRun, type DurableResult, type DurableState, type RecordedModel } from '../../durable/run.js';
import { openStore } from '../../store/open.js';
import type { Store } from '../../store/types.js';
import { CliError } from '../errors.js';
import { formatUsage, modelsCalled } from '../format.js';
import { approveHint, rejectHint, resumeHint, type HintContext } from '../hints.js';
import { addModelOptions, buildModel, describeModel, requestedModel, sameModel, type ModelOptions } from '../model-option.js';

/** For commands that read or decide: a store that does not exist yet is an error, never a new empty one. */
export const EXISTING_STORE = { create: false } as const;

export const STORE_OPTION = ['--store <path|url>', 'state store: a SQLite file or a postgres:// URL (default ./.agent-patterns/state.db, or $AGENT_PATTERNS_STORE)'] as const;

/** The Vend examples that can run durably, by workflow name (loaded on use, not at CLI start-up). */
export async function vendWorkflows(options: { model?: Model } = {}): Promise<WorkflowRegistry> {
  const [{ refundApprovalDefinition }, { refundOrchestratorDefinition }] = await Promise.all([
    import('../../../examples/vend/refund-approval.js'),
    import('../../../examples/vend/refund-orchestrator.js'),
  ]);
  return new WorkflowRegistry([refundApprovalDefinition(options), refundOrchestratorDefinition(options)]);
}

/** Opens the store for `fn` and closes it after. Commands that only read or decide pass `create: false`. */
export async function withStore<T>(target: string | undefined, fn: (store: Store) => Promise<T>, options: { create?: boolean } = {}): Promise<T> {
  const store = await openStore(target, options);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `run <example> --durable`: starts the example as a durable run; approvals suspend it for a real reviewer. */
export async function runDurableExample(name: string, input: string, opts: { store?: string; json?: boolean; model?: RecordedModel }): Promise<void> {
  const model = await buildModel(opts.model);
  const registry = await vendWorkflows(model ? { model } : {});
  const def = registry.get(name);
  if (!def) throw new CliError(`example "${name}" has no durable workflow; durable examples: ${registry.names().join(', ')}`);
  const recorded = opts.model ?? { spec: 'scripted' };
  await withStore(opts.store, async (store) => {
    const result = await durableRun(def.name, def.step, input, {
      store, model: recorded, ...(def.version ? { version: def.version } : {}), ...(def.reconcilers ? { reconcilers: def.reconcilers } : {}),
    });
    printDurable(result, { ...(opts.json ? { json: true } : {}), hint: { ...(opts.store ? { store: opts.store } : {}), model: recorded } });
  });
}

export function printDurable(result: DurableResult<unknown>, opts: { json?: boolean; hint: HintContext }): void {
  const called = modelsCalled(result.trace);
  if (opts.json) {
    const base = { runId: result.runId, status: result.status, model: called.model, scripted: called.scripted, usage: result.usage };
    const extra =
      result.status === 'completed'
        ? { output: result.output }
        : { pending: result.pending, next: { decide: result.pending.map((a) => approveHint(a.approvalId, a.reviewer, opts.hint)), resume: resumeHint(result.runId, opts.hint) } };
    process.stdout.write(JSON.stringify({ ...base, ...extra }) + '\n');
    return;
  }
  const lines = [called.label, `run id: ${result.runId}`, `status: ${result.status}`];
  if (result.status === 'suspended') {
    lines.push('waiting for (no process is waiting; the state is in the store):');
    for (const a of result.pending) {
      lines.push(`  ${a.approvalId}  ${a.tool}(${JSON.stringify(a.args)})  reviewer: ${a.reviewer}${a.deadline ? `  deadline: ${new Date(a.deadline).toISOString()}` : ''}`);
      if (a.recommendation) lines.push(`    recommendation: ${a.recommendation}`);
    }
    lines.push('decide with:');
    for (const a of result.pending) lines.push(`  ${approveHint(a.approvalId, a.reviewer, opts.hint)}    (or: ${rejectHint(a.approvalId, a.reviewer, opts.hint)})`);
    lines.push(`then:  ${resumeHint(result.runId, opts.hint)}`);
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
      .description('continue a suspended or crashed durable run on the model it started with (applies overdue escalations first)')
      .argument('<run-id>', 'the run to resume')
      .option(...STORE_OPTION)
      .option('--override-model', 'resume on the --model given although the run started on another one')
      .option('--json', 'print one JSON object'),
  ).action(async (runId: string, opts: ModelOptions & { store?: string; json?: boolean; overrideModel?: boolean }) => {
    const asked = requestedModel(opts);
    if (opts.overrideModel && !asked) throw new CliError('--override-model needs --model (the model to resume on)');
    await withStore(opts.store, async (store) => {
      const record = await store.getRun(runId);
      if (!record) throw new CliError(`no run ${runId} in this store`, 1);
      // Runs recorded before models were recorded ran on the scripted model unless a --model was given then.
      const state = record.state as Partial<DurableState> | undefined;
      if (!state?.inputHash) throw new CliError(`run ${runId} was not a durable run (${record.workflow}); start it again, with --durable to make it resumable`, 1);
      const recorded = state.model ?? { spec: 'scripted' };
      if (asked && !sameModel(asked, recorded) && !opts.overrideModel) {
        throw new CliError(`run ${runId} started on ${describeModel(recorded)}; to resume it on ${describeModel(asked)} instead, add --override-model`);
      }
      const use = asked ?? recorded;
      const model = await buildModel(use);
      const result = await resumeRun(runId, { store, registry: await vendWorkflows(model ? { model } : {}), ...(asked ? { model: asked } : {}) });
      printDurable(result, { ...(opts.json ? { json: true } : {}), hint: { ...(opts.store ? { store: opts.store } : {}), model: use } });
    }, EXISTING_STORE);
  });
}
