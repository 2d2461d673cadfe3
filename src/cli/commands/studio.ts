/**
 * `agent-patterns studio`: the local web page over the store. It knows the
 * Vend examples (their pattern and their shape, from the steps themselves) and
 * resumes a durable run after a decision exactly as `agent-patterns resume` does.
 */
import type { Command } from 'commander';
import { describeStep } from '../../core/shape.js';
import { resumeRun } from '../../durable/run.js';
import type { Catalog, WorkflowInfo } from '../../studio/api.js';
import { startStudio } from '../../studio/server.js';
import { listExamples } from '../../../examples/vend/registry.js';
import { withHooks } from '../../core/streaming/stream.js';
import type { Launcher } from '../../studio/live-runs.js';
import type { Store } from '../../store/types.js';
import { intOption } from '../options.js';
import { runRecorded } from '../record-run.js';
import { STORE_OPTION, vendWorkflows, withStore } from './resume.js';

/** The Vend examples by name: "7 coordinator" and the shape of their root step (built once each). */
export async function vendCatalog(): Promise<Catalog> {
  const examples = await listExamples();
  const known = new Map<string, WorkflowInfo>();
  return (workflow) => {
    const cached = known.get(workflow);
    if (cached) return cached;
    const ex = examples.find((e) => e.name === workflow);
    if (!ex) return undefined;
    const info: WorkflowInfo = { pattern: `${ex.pattern} ${ex.patternName}`, ...(ex.root ? { shape: describeStep(ex.root()) } : {}) };
    known.set(workflow, info);
    return info;
  };
}

/** Starting a Vend example from the page: recorded in the store like `run --store`, its events streamed to the page. */
export async function vendLauncher(store: Store): Promise<{ launch: Launcher; workflows: () => { name: string; pattern: string; defaultInput: string }[] }> {
  const examples = await listExamples();
  return {
    workflows: () => examples.map((e) => ({ name: e.name, pattern: `${e.pattern} ${e.patternName}`, defaultInput: e.defaultInput })),
    launch: async (name, input, hooks) => {
      const ex = examples.find((e) => e.name === name);
      if (!ex) throw new Error(`no example ${name}`);
      return (await runRecorded(ex, input ?? ex.defaultInput, withHooks({}, hooks), store)).result;
    },
  };
}

export function registerStudio(program: Command): void {
  program
    .command('studio')
    .description('a local web page over the store: runs, their span trees and workflow shapes, live; the approvals inbox')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', '4777')
    .option(...STORE_OPTION)
    .action(async (opts: { port: string; store?: string }) => {
      const port = intOption(opts.port, '--port', 0);
      await withStore(opts.store, async (store) => {
        const registry = await vendWorkflows();
        const studio = await startStudio({
          store, port, catalog: await vendCatalog(), resume: (runId) => resumeRun(runId, { store, registry }), ...(await vendLauncher(store)),
        });
        process.stdout.write(`agent-patterns studio on ${studio.url} (127.0.0.1 only)\nopen: ${studio.openUrl}\ntoken for decisions: ${studio.token}\nCtrl-C to stop\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await studio.close();
      });
    });
}
