/** `agent-patterns run <example>`: one Vend example, offline by default. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { file, guessMediaType, image, sniffMediaType, type MediaPart } from '../../core/messages.js';
import type { SpanRecord } from '../../core/span.js';
import { SCRIPTED_NOTICE } from '../../models/scripted.js';
import { STORE_ENV } from '../../store/open.js';
import { findExample, listExamples } from '../../../examples/vend/registry.js';
import type { ExampleOutcome, VendExample } from '../../../examples/vend/types.js';
import { CliError } from '../errors.js';
import { runRecorded } from '../record-run.js';
import { formatActions, formatUsage, modelsCalled } from '../format.js';
import { addModelOptions, buildModel, requestedModel, type ModelOptions } from '../model-option.js';
import { runDurableExample, STORE_OPTION, withStore } from './resume.js';
import '../../sessions/run-options.js';
import { OWNER_OPTION } from './sessions.js';
import { streamExample } from './run-stream.js';

type RunOpts = ModelOptions & { input?: string; json?: boolean; mcp?: boolean; durable?: boolean; store?: string; attach: string[]; session?: string; owner: string; stream?: boolean };

export function registerRun(program: Command, examples?: readonly VendExample[]): void {
  const cmd = addModelOptions(
    program
      .command('run')
      .description('run one Vend example (see `agent-patterns list`)')
      .argument('<example>', 'example name')
      .option('--input <text>', 'the input (default: the example\'s own; each example\'s input is listed below)')
      .option('--attach <file>', 'send an image or document (PDF…) with the input; repeatable (examples that take attachments: order-support)', collect, [])
      .option('--json', 'print one JSON object instead of text (with --stream: one JSON event per line)')
      .option('--stream', 'print tokens as they arrive and a log of the run\'s steps, tool calls and decisions')
      .option('--mcp', 'take the tools from Vend\'s order service over MCP (stdio), for examples that support it (order-support)')
      .option('--durable', 'run as a durable run in the store: human approvals suspend it until decided (refund-approval, refund-orchestrator)')
      .option('--session <id>', 'continue this conversation: its history from the store goes before the input, the new turns are saved (agent examples)')
      .option(...OWNER_OPTION)
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
    if (opts.attach.length && !example.acceptsAttachments) throw new CliError(`example "${name}" takes text only; --attach works with: order-support`);
    if (opts.attach.length && opts.durable) throw new CliError('--attach is not supported with --durable yet');
    const wanted = requestedModel(opts);
    const input = opts.input ?? example.defaultInput;
    try {
      example.checkInput?.(input);
    } catch (err) {
      throw new CliError(`--input: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (opts.durable && opts.session) throw new CliError('--session and --durable cannot be combined yet');
    if (opts.stream && (opts.durable || opts.session || opts.store)) throw new CliError('--stream is not supported with --durable, --session or --store yet');
    if (opts.durable) {
      return runDurableExample(example.name, input, { ...(opts.store ? { store: opts.store } : {}), ...(opts.json ? { json: true } : {}), ...(wanted ? { model: wanted } : {}) });
    }
    if (opts.mcp && !example.mcp) throw new CliError(`${example.name} has no MCP variant; --mcp works with: ${(await listExamples()).filter((e) => e.mcp).map((e) => e.name).join(', ')}`);
    const attachments = await Promise.all(opts.attach.map(readAttachment));
    const model = await buildModel(wanted);
    const options = { ...(model ? { model } : {}), ...(attachments.length ? { attachments } : {}), ...(opts.mcp ? { mcp: true } : {}) };
    // With a store given (or a session, which lives in one), the run's record and trace land in it, so `runs show <id>` finds it.
    if (opts.stream) return streamExample(example, input, options, { ...(opts.json ? { json: true } : {}), ...(opts.model ? { modelName: opts.model } : {}) });
    const out = opts.store || process.env[STORE_ENV] || opts.session
      ? await withStore(opts.store, (store) => runRecorded(example, input, { ...options, ...(opts.session ? { store, session: opts.session, owner: opts.owner } : {}) }, store))
      : await example.run(input, options);
    printRun(example, input, out, opts);
  });
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
  const lines = [
    `${example.name} — pattern ${example.pattern} (${example.patternName})`,
    called.label,
    `input: ${input}`,
    ...(opts.session ? [`session: ${opts.session} (owner ${opts.owner})`] : []),
    '',
    out.answer,
    '',
    `outcome: ${out.outcome}`,
  ];
  if (out.actions) lines.push('action trace:', formatActions(out.actions));
  const stored = opts.store || process.env[STORE_ENV] || opts.session ? '' : ' (not stored: give --store to keep the record and trace)';
  lines.push(`usage: ${formatUsage(r.usage)}`, `run id: ${r.runId}${stored}`);
  process.stdout.write(lines.join('\n') + '\n');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A file as an image part (by its bytes or extension) or else a document part. */
async function readAttachment(path: string): Promise<MediaPart> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new CliError(`--attach ${path}: ${(err as Error).message}`);
  }
  const sniffed = sniffMediaType(bytes);
  const mediaType = sniffed === 'application/octet-stream' ? guessMediaType(path) : sniffed;
  return mediaType.startsWith('image/') ? image(bytes, mediaType) : file(bytes, mediaType, basename(path));
}
