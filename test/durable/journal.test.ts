import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent } from '../../src/patterns/agent.js';
import { tool } from '../../src/core/tool.js';
import { step } from '../../src/core/step.js';
import { runStep } from '../../src/core/run-step.js';
import { RunAborted } from '../../src/core/errors.js';
import { scripted, toolResults } from '../../src/models/scripted.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { durableRun, resumeRun } from '../../src/durable/run.js';
import { WorkflowRegistry } from '../../src/durable/registry.js';
import { ReplayDivergence, ResumeError } from '../../src/durable/errors.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ap-durable-'));
  store = await openStore(join(dir, 'state.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An agent that looks up three things in turn; `crashAt` aborts the run when that lookup starts. */
function lookupWorkflow(counts: { model: number; tools: string[] }, crash: { at?: string; ctl?: AbortController }) {
  const lookup = tool({
    name: 'lookup',
    description: 'Look a key up.',
    input: z.object({ key: z.string() }),
    execute: ({ key }) => {
      if (crash.at === key) {
        crash.ctl!.abort('simulated crash');
        throw new Error('crashed');
      }
      counts.tools.push(key);
      return { key, value: key.toUpperCase() };
    },
  });
  const model = scripted((req) => {
    counts.model++;
    const done = toolResults(req).filter((m) => !m.isError).length;
    const keys = ['a', 'b', 'c'];
    if (done < keys.length) return { toolCalls: [{ name: 'lookup', args: { key: keys[done] } }] };
    return `found ${toolResults(req).map((m) => m.content).join(' ')}`;
  });
  const agent = new Agent({ name: 'looker', instructions: 'Look up a, b, c.', model, tools: [lookup], maxTurns: 6 });
  return step('lookup-flow', async (input: string, ctx) => (await runStep(ctx, agent, input)).text);
}

describe('durable journal', () => {
  it('resumes after a crash without repeating recorded model and tool calls, budget restored', async () => {
    const counts = { model: 0, tools: [] as string[] };
    const ctl = new AbortController();
    const flow = lookupWorkflow(counts, { at: 'c', ctl });
    await expect(durableRun('lookup-flow', flow, 'go', { store, signal: ctl.signal, runId: 'r1' })).rejects.toBeInstanceOf(RunAborted);
    expect(counts.tools).toEqual(['a', 'b']);
    const modelCallsBefore = counts.model; // 3: ask a, ask b, ask c
    expect((await store.getRun('r1'))!.status).toBe('failed');

    const counts2 = { model: 0, tools: [] as string[] };
    const registry = new WorkflowRegistry([{ name: 'lookup-flow', step: lookupWorkflow(counts2, {}) }]);
    const resumed = await resumeRun<string>('r1', { store, registry });
    expect(resumed.status).toBe('completed');
    if (resumed.status !== 'completed') return;
    expect(resumed.output).toBe('found {"key":"a","value":"A"} {"key":"b","value":"B"} {"key":"c","value":"C"}');
    // Only the unrecorded work ran again: the tool call for c and the final answer.
    expect(counts2.tools).toEqual(['c']);
    expect(counts2.model).toBe(1);
    expect(modelCallsBefore).toBe(3);
    // The budget counts every model turn and tool call once, across both processes' work.
    expect(resumed.usage.modelTurns).toBe(4);
    expect(resumed.usage.toolCalls).toBe(3);
    expect((await store.getRun('r1'))!.status).toBe('completed');
  });

  it('fails loudly when a resume cannot proceed', async () => {
    const registry = new WorkflowRegistry();
    await expect(resumeRun('nope', { store, registry })).rejects.toMatchObject({ problem: 'RUN_NOT_FOUND' });
    const counts = { model: 0, tools: [] as string[] };
    await durableRun('lookup-flow', lookupWorkflow(counts, {}), 'go', { store, runId: 'done' });
    await expect(resumeRun('done', { store, registry })).rejects.toMatchObject({ problem: 'RUN_ALREADY_COMPLETED' });

    const ctl = new AbortController();
    await expect(durableRun('lookup-flow', lookupWorkflow(counts, { at: 'b', ctl }), 'go', { store, signal: ctl.signal, runId: 'half' })).rejects.toThrow();
    const err = await resumeRun('half', { store, registry }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResumeError);
    expect(err).toMatchObject({ problem: 'WORKFLOW_NOT_REGISTERED' });
    registry.register({ name: 'lookup-flow', step: lookupWorkflow(counts, {}) });
    await expect(resumeRun('half', { store, registry, input: 'something else' })).rejects.toMatchObject({ problem: 'INPUT_CHANGED' });
    const versioned = new WorkflowRegistry([{ name: 'lookup-flow', version: '2', step: lookupWorkflow(counts, {}) }]);
    await expect(resumeRun('half', { store, registry: versioned })).rejects.toMatchObject({ problem: 'WORKFLOW_VERSION_CHANGED' });
  });

  it('refuses to replay when the code changed under a recorded call', async () => {
    const counts = { model: 0, tools: [] as string[] };
    const ctl = new AbortController();
    await expect(durableRun('lookup-flow', lookupWorkflow(counts, { at: 'b', ctl }), 'go', { store, signal: ctl.signal, runId: 'drift' })).rejects.toThrow();
    const other = new Agent({ name: 'looker', instructions: 'A different prompt now.', model: scripted(['x']), maxTurns: 1 });
    const registry = new WorkflowRegistry([{ name: 'lookup-flow', step: step('lookup-flow', async (i: string, ctx) => (await runStep(ctx, other, i)).text) }]);
    await expect(resumeRun('drift', { store, registry })).rejects.toBeInstanceOf(ReplayDivergence);
  });
});
