/**
 * `agent-patterns eval <example | module.js> --dataset cases.jsonl`: runs a
 * dataset, writes report.json / report.md / report.html, and exits non-zero
 * when the gate fails (a regression against --baseline, or without one, any
 * failing case). Offline on the scripted model unless --model or --replay.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { findExample, listExamples } from '../../../examples/vend/registry.js';
import type { VendExample } from '../../../examples/vend/types.js';
import type { Model } from '../../core/model.js';
import type { Step } from '../../core/step.js';
import { recordModel, replayModel } from '../../evals/cassette.js';
import { loadDataset } from '../../evals/dataset.js';
import { evaluate, type CaseResult, type RunCase } from '../../evals/evaluate.js';
import { compareWithBaseline, gatePasses, readBaseline } from '../../evals/report/baseline.js';
import { buildReport } from '../../evals/report/summary.js';
import { writeReports } from '../../evals/report/write.js';
import { SCRIPTED_NOTICE } from '../../models/scripted.js';
import { CliError } from '../errors.js';
import { addModelOptions, modelFromOptions } from '../model-option.js';

interface EvalOptions {
  dataset: string;
  model?: string;
  baseUrl?: string;
  judgeModel?: string;
  out?: string;
  baseline?: string;
  record?: string;
  replay?: string;
  concurrency: string;
  studio?: string;
  json?: boolean;
}

export function registerEval(program: Command): void {
  addModelOptions(
    program
      .command('eval')
      .description('evaluate an example (or a module exporting `example` or a default Step) on a JSONL dataset; writes JSON, Markdown and HTML reports')
      .argument('<target>', 'an example name (see `agent-patterns list`) or a path to a .js module')
      .requiredOption('--dataset <file>', 'JSONL cases: {"id", "input", "expect": [{"type": …}], "tags"?, "budget"?}')
      .option('--judge-model <provider:model>', 'the model of the LLM judge, for datasets with "judge" expectations')
      .option('--out <dir>', 'where the reports go (default .agent-patterns/evals/<target>)')
      .option('--baseline <report.json>', 'an earlier report: exit non-zero on a regression or a new failure against it')
      .option('--record <cassette.jsonl>', 'save every response of the real --model, to replay it offline later')
      .option('--replay <cassette.jsonl>', 'serve the model\'s responses from a recording (offline, no key, no cost)')
      .option('--concurrency <n>', 'cases in flight at once', '4')
      .option('--studio <url>', 'link each case to its run in the studio (with --store runs)', undefined)
      .option('--json', 'print the JSON report instead of the summary'),
  ).action(async (target: string, opts: EvalOptions) => {
    const concurrency = Number(opts.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new CliError(`--concurrency must be a whole number >= 1, got "${opts.concurrency}"`);
    if (opts.record && opts.replay) throw new CliError('--record and --replay exclude each other');
    if (opts.replay && opts.model) throw new CliError('--replay serves the recorded model; drop --model');
    const { runCase, name } = await loadTarget(target);
    const cases = loadDataset(opts.dataset);
    const { model, label } = await chooseModel(opts);
    const judge = opts.judgeModel ? await modelFromOptions({ model: opts.judgeModel }) : undefined;
    if (opts.judgeModel && !judge) throw new CliError('--judge-model needs a real model (provider:model); the scripted model cannot judge');

    const progress = progressReporter(cases.length, name, opts.json === true);
    const result = await evaluate(runCase, cases, [], {
      concurrency,
      ...(model ? { model } : {}),
      ...(judge ? { judge } : {}),
      name,
      onCase: progress,
    });
    let report = buildReport(result, { dataset: opts.dataset, model: label, ...(opts.studio ? { studioUrl: opts.studio } : {}) });
    if (opts.baseline) report = compareWithBaseline(report, readBaseline(opts.baseline), opts.baseline);
    const files = writeReports(report, result, opts.out ?? `.agent-patterns/evals/${name}`);
    const gate = gatePasses(report);
    if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      const b = report.baseline;
      const lines = [
        `${name}: ${report.totals.passed}/${report.totals.cases} passed · model ${label} · run cost $${report.cost.runsUsd.toFixed(6)} · judge cost $${report.cost.judgeUsd.toFixed(6)} · p50 ${report.latencyMs.p50} ms`,
        ...report.cases.filter((c) => !c.pass).map((c) => `  FAIL ${c.id}${c.change ? ` (${c.change})` : ''}: ${c.failed.map((f) => `${f.type}: ${f.reason}`).join('; ') || c.error?.message}`),
        b ? `against ${b.file}: ${b.regressions.length} regression(s), ${b.newFailures.length} new failure(s), ${b.improvements.length} improvement(s)` : '',
        `reports: ${files.html} · ${files.markdown} · ${files.json}`,
        `gate: ${gate ? 'pass' : 'FAIL'}`,
      ];
      process.stdout.write(lines.filter(Boolean).join('\n') + '\n');
    }
    if (!gate) {
      const b = report.baseline;
      throw new CliError(
        b ? `gate failed: ${[...b.regressions.map((id) => `${id} regressed`), ...b.newFailures.map((id) => `${id} fails (new)`)].join(', ')}` : `gate failed: ${report.totals.failed} case(s) failed`,
        1,
      );
    }
  });
}

/** An example by name, or a module exporting `example` (the examples' shape) or a Step as default / `step`. */
async function loadTarget(target: string): Promise<{ runCase: RunCase; name: string }> {
  const named = await findExample(target);
  if (named) return { runCase: exampleRunner(named), name: named.name };
  if (!/\.(m?js|cjs)$/.test(target)) {
    const names = (await listExamples()).map((e) => e.name).join(', ');
    throw new CliError(`"${target}" is neither an example (${names}) nor a .js module`);
  }
  let mod: { example?: VendExample; default?: unknown; step?: unknown };
  try {
    mod = (await import(pathToFileURL(resolve(target)).href)) as typeof mod;
  } catch (err) {
    throw new CliError(`cannot load ${target}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (mod.example && typeof mod.example.run === 'function') return { runCase: exampleRunner(mod.example), name: mod.example.name };
  const step = (mod.default ?? mod.step) as Step<unknown, unknown> | undefined;
  if (step && typeof step.run === 'function' && typeof step.name === 'string') {
    const { run } = await import('../../core/run.js');
    return { runCase: (input, o) => run(step, input, o), name: step.name };
  }
  throw new CliError(`${target} exports neither \`example\` nor a Step (default export or \`step\`)`);
}

/** An example builds its own run; the case sees what the CLI shows: outcome, answer, actions, details. */
function exampleRunner(example: VendExample): RunCase {
  return async (input, options) => {
    const out = await example.run(typeof input === 'string' ? input : JSON.stringify(input), options);
    if (out.result.status === 'suspended') return out.result;
    return { ...out.result, output: { outcome: out.outcome, answer: out.answer, actions: out.actions ?? [], details: out.details } };
  };
}

async function chooseModel(opts: EvalOptions): Promise<{ model?: Model; label: string }> {
  if (opts.replay) {
    const model = replayModel(opts.replay);
    return { model, label: `replay of ${opts.replay} (${model.provider}:${model.modelId})` };
  }
  const real = await modelFromOptions(opts);
  if (opts.record) {
    if (!real) throw new CliError('--record needs a real --model (the scripted model is offline already)');
    return { model: recordModel(real, opts.record), label: `${opts.model} (recorded to ${opts.record})` };
  }
  return real ? { model: real, label: opts.model! } : { label: `scripted (${SCRIPTED_NOTICE})` };
}

/** A bar on a terminal; one plain line per case otherwise (CI logs). */
function progressReporter(total: number, name: string, quiet: boolean): (c: CaseResult, done: number) => void {
  if (quiet) return () => {};
  const tty = process.stderr.isTTY === true;
  return (c, done) => {
    if (tty) {
      const width = 24;
      const filled = Math.round((done / total) * width);
      process.stderr.write(`\r${name} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${c.pass ? 'pass' : 'FAIL'} ${c.id}`.padEnd(80));
      if (done === total) process.stderr.write('\n');
    } else {
      process.stderr.write(`${name} ${done}/${total} ${c.pass ? 'pass' : 'FAIL'} ${c.id}\n`);
    }
  };
}
