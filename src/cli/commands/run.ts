/** `agent-patterns run <example>`: one Vend example, offline by default. */
import type { Command } from 'commander';
import { AgentPatternsError } from '../../core/errors.js';
import type { SpanRecord } from '../../core/span.js';
import { SCRIPTED_NOTICE } from '../../models/scripted.js';
import { STORE_ENV } from '../../store/open.js';
import { StoreTraceSink } from '../../store/trace-sink.js';
import type { Store } from '../../store/types.js';
import { findExample, listExamples } from '../../../examples/vend/registry.js';
import type { ExampleOutcome, VendExample } from '../../../examples/vend/types.js';
import { CliError } from '../errors.js';
import { formatActions, formatUsage, modelsCalled } from '../format.js';
import { addModelOptions, buildModel, requestedModel, type ModelOptions } from '../model-option.js';
import { runDurableExample, STORE_OPTION, withStore } from './resume.js';

type RunOpts = ModelOptions & { input?: string; json?: boolean; durable?: boolean; store?: string };

export function registerRun(program: Command, examples?: readonly VendExample[]): void {
  const cmd = addModelOptions(
    program
      .command('run')
      .description('run one Vend example (see `agent-patterns list`)')
      .argument('<example>', 'example name')
      .option('--input <text>', 'the input (default: the example\'s own; each example\'s input is listed below)')
      .option('--json', 'print one JSON object instead of text')
      .option('--durable', 'run as a durable run in the store: human approvals suspend it until decided (refund-approval, refund-orchestrator)')
      .option(...STORE_OPTION),
  );
  // The examples are loaded for --help only (main.ts), so the list costs nothing on a normal start.
  if (examples) cmd.addHelpText('after', `\nInputs (--input):\n${examples.map((e) => `  ${e.name.padEnd(22)}${e.inputHelp}`).join('\n')}`);
  cmd.action(async (name: string, opts: RunOpts) => {
    const example = await findExample(name);
    if (!example) {
      const names = (await listExamples()).map((e) => e.name).join(', ');
      throw new CliError(`unknown example "${name}"; available: ${names}`);
    }
    const wanted = requestedModel(opts);
    const input = opts.input ?? example.defaultInput;
    try {
      example.checkInput?.(input);
    } catch (err) {
      throw new CliError(`--input: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (opts.durable) {
      return runDurableExample(example.name, input, { ...(opts.store ? { store: opts.store } : {}), ...(opts.json ? { json: true } : {}), ...(wanted ? { model: wanted } : {}) });
    }
    const model = await buildModel(wanted);
    // With a store given, the run's record and trace land in it, so `runs show <id>` finds it.
    const out = opts.store || process.env[STORE_ENV]
      ? await withStore(opts.store, (store) => runRecorded(example, input, model ? { model } : {}, store))
      : await example.run(input, model ? { model } : {});
    printRun(example, input, out, opts);
  });
}

async function runRecorded(example: VendExample, input: string, options: Parameters<VendExample['run']>[1], store: Store): Promise<ExampleOutcome> {
  const sink = new StoreTraceSink(store);
  const createdAt = Date.now();
  try {
    const out = await example.run(input, { ...options, sinks: [sink] });
    await store.putRun({
      runId: out.result.runId, workflow: example.name, input, status: 'completed', output: out.answer,
      state: { usage: out.result.usage }, createdAt, updatedAt: Date.now(),
    });
    return out;
  } catch (err) {
    const e = err as Error & { runId?: string; usage?: unknown };
    if (e?.runId) {
      await sink.flush().catch(() => undefined);
      await store.putRun({
        runId: e.runId, workflow: example.name, input, status: 'failed', state: e.usage ? { usage: e.usage } : {},
        error: { ...(err instanceof AgentPatternsError ? { code: err.code } : {}), message: e.message }, createdAt, updatedAt: Date.now(),
      });
    }
    throw err;
  }
}

function printRun(example: VendExample, input: string, out: ExampleOutcome, opts: RunOpts): void {
  const r = out.result;
  const called = modelsCalled(r.trace as readonly SpanRecord[]);
  if (opts.json) {
    const json = {
      example: example.name,
      pattern: example.pattern,
      model: called.model,
      scripted: called.scripted,
      ...(called.scripted ? { notice: SCRIPTED_NOTICE } : {}),
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
  const lines = [`${example.name} — pattern ${example.pattern} (${example.patternName})`, called.label, `input: ${input}`, '', out.answer, '', `outcome: ${out.outcome}`];
  if (out.actions) lines.push('action trace:', formatActions(out.actions));
  const stored = opts.store || process.env[STORE_ENV] ? '' : ' (not stored: give --store to keep the record and trace)';
  lines.push(`usage: ${formatUsage(r.usage)}`, `run id: ${r.runId}${stored}`);
  process.stdout.write(lines.join('\n') + '\n');
}
