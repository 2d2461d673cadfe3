/** `agent-patterns run <example>`: one Vend example, offline by default. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { file, guessMediaType, image, sniffMediaType, type MediaPart } from '../../core/messages.js';
import { findExample, listExamples } from '../../../examples/vend/registry.js';
import { SCRIPTED_NOTICE } from '../../models/scripted.js';
import { CliError } from '../errors.js';
import { formatActions, formatUsage } from '../format.js';
import { addModelOptions, modelFromOptions } from '../model-option.js';
import { runDurableExample, STORE_OPTION } from './resume.js';
import { streamExample } from './run-stream.js';

export function registerRun(program: Command): void {
  addModelOptions(
    program
      .command('run')
      .description('run one Vend example (see `agent-patterns list`)')
      .argument('<example>', 'example name')
      .option('--input <text>', 'the input (default: the example\'s own)')
      .option('--attach <file>', 'send an image or document (PDF…) with the input; repeatable (examples that take attachments: order-support)', collect, [])
      .option('--json', 'print one JSON object instead of text (with --stream: one JSON event per line)')
      .option('--stream', 'print tokens as they arrive and a log of the run\'s steps, tool calls and decisions')
      .option('--mcp', 'take the tools from Vend\'s order service over MCP (stdio), for examples that support it (order-support)')
      .option('--durable', 'run as a durable run in the store: human approvals suspend it until decided (refund-approval, refund-orchestrator)')
      .option(...STORE_OPTION),
  ).action(async (name: string, opts: { input?: string; json?: boolean; mcp?: boolean; model?: string; baseUrl?: string; durable?: boolean; store?: string; attach: string[]; stream?: boolean }) => {
    const example = await findExample(name);
    if (!example) {
      const names = (await listExamples()).map((e) => e.name).join(', ');
      throw new CliError(`unknown example "${name}"; available: ${names}`);
    }
    if (opts.attach.length && !example.acceptsAttachments) throw new CliError(`example "${name}" takes text only; --attach works with: order-support`);
    if (opts.attach.length && opts.durable) throw new CliError('--attach is not supported with --durable yet');
    if (opts.stream && opts.durable) throw new CliError('--stream is not supported with --durable yet');
    const attachments = await Promise.all(opts.attach.map(readAttachment));
    const model = await modelFromOptions(opts);
    const input = opts.input ?? example.defaultInput;
    if (opts.durable) {
      return runDurableExample(example.name, input, { ...(opts.store ? { store: opts.store } : {}), ...(opts.json ? { json: true } : {}), ...(model ? { model } : {}), ...(opts.model ? { modelName: opts.model } : {}) });
    }
    if (opts.mcp && !example.mcp) throw new CliError(`${example.name} has no MCP variant; --mcp works with: ${(await listExamples()).filter((e) => e.mcp).map((e) => e.name).join(', ')}`);
    const runOptions = { ...(model ? { model } : {}), ...(attachments.length ? { attachments } : {}), ...(opts.mcp ? { mcp: true } : {}) };
    if (opts.stream) return streamExample(example, input, runOptions, { ...(opts.json ? { json: true } : {}), ...(opts.model ? { modelName: opts.model } : {}) });
    const out = await example.run(input, runOptions);
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
      // Without --model the example's own scripted model is the one configured, even when no call reached it (a guardrail refused first).
      r.scripted || !opts.model ? `[${SCRIPTED_NOTICE}]` : `[model: ${opts.model}]`,
      `input: ${input}`,
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
