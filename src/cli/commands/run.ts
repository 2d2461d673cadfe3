/** `agent-patterns run <example>`: one Vend example, offline by default. */
import type { Command } from 'commander';
import { findExample, listExamples } from '../../../examples/vend/registry.js';
import { SCRIPTED_NOTICE } from '../../models/scripted.js';
import { CliError } from '../errors.js';
import { formatActions, formatUsage } from '../format.js';
import { addModelOptions, modelFromOptions } from '../model-option.js';
import '../../sessions/run-options.js';
import { runDurableExample, STORE_OPTION, withStore } from './resume.js';
import { OWNER_OPTION } from './sessions.js';

export function registerRun(program: Command): void {
  addModelOptions(
    program
      .command('run')
      .description('run one Vend example (see `agent-patterns list`)')
      .argument('<example>', 'example name')
      .option('--input <text>', 'the input (default: the example\'s own)')
      .option('--json', 'print one JSON object instead of text')
      .option('--durable', 'run as a durable run in the store: human approvals suspend it until decided (refund-approval, refund-orchestrator)')
      .option('--session <id>', 'continue this conversation: its history from the store goes before the input, the new turns are saved (agent examples)')
      .option(...OWNER_OPTION)
      .option(...STORE_OPTION),
  ).action(async (name: string, opts: { input?: string; json?: boolean; model?: string; baseUrl?: string; durable?: boolean; store?: string; session?: string; owner: string }) => {
    const example = await findExample(name);
    if (!example) {
      const names = (await listExamples()).map((e) => e.name).join(', ');
      throw new CliError(`unknown example "${name}"; available: ${names}`);
    }
    const model = await modelFromOptions(opts);
    const input = opts.input ?? example.defaultInput;
    if (opts.durable && opts.session) throw new CliError('--session and --durable cannot be combined yet');
    if (opts.durable) {
      return runDurableExample(example.name, input, { ...(opts.store ? { store: opts.store } : {}), ...(opts.json ? { json: true } : {}), ...(model ? { model } : {}), ...(opts.model ? { modelName: opts.model } : {}) });
    }
    const out = opts.session
      ? await withStore(opts.store, (store) => example.run(input, { ...(model ? { model } : {}), store, session: opts.session, owner: opts.owner }))
      : await example.run(input, model ? { model } : {});
    const r = out.result;
    if (opts.json) {
      const json = {
        example: example.name,
        pattern: example.pattern,
        model: r.scripted ? 'scripted' : (opts.model ?? 'scripted'),
        scripted: r.scripted,
        ...(r.scripted ? { notice: SCRIPTED_NOTICE } : {}),
        input,
        outcome: out.outcome,
        answer: out.answer,
        actions: out.actions ?? [],
        details: out.details,
        usage: r.usage,
        runId: r.runId,
        trace: r.trace,
      };
      process.stdout.write(JSON.stringify(json) + '\n');
      return;
    }
    const lines = [
      `${example.name} — pattern ${example.pattern} (${example.patternName})`,
      r.scripted ? `[${SCRIPTED_NOTICE}]` : `[model: ${opts.model}]`,
      `input: ${input}`,
      ...(opts.session ? [`session: ${opts.session} (owner ${opts.owner})`] : []),
      '',
      out.answer,
      '',
      `outcome: ${out.outcome}`,
    ];
    if (out.actions) lines.push('action trace:', formatActions(out.actions));
    lines.push(`usage: ${formatUsage(r.usage)}`, `run id: ${r.runId}`);
    process.stdout.write(lines.join('\n') + '\n');
  });
}
