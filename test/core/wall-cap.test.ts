/**
 * The wall-time cap stops the run (issue 13 item 4): with `maxWallMs`, run()
 * and durableRun settle with BudgetExceeded('maxWallMs') about at the cap even
 * when a tool, a guard, a step or a model ignores the abort signal; the work
 * left behind shows in the trace as abandoned and its late outcome is ignored.
 * A tool's own timeoutMs holds the same way. (No timing of performance here:
 * only that a run settles instead of hanging, under a generous test timeout.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, BudgetExceeded, run, runStep, step, tool, type Model, type SpanRecord, type Step } from 'agent-patterns';
import { durableRun } from 'agent-patterns/durable';
import { openStore } from 'agent-patterns/store';
import { scripted, toolResults } from 'agent-patterns/testing';

const NEVER = () => new Promise<never>(() => {});

/** An agent that calls `hang` once, then answers with what it saw. */
function agentWith(hang: ReturnType<typeof tool>, model?: Model) {
  return new Agent({
    name: 'stuck',
    instructions: 'Call hang.',
    model: model ?? scripted((req) => (toolResults(req).length ? `saw ${toolResults(req)[0]!.content}` : { toolCalls: [{ name: 'hang', args: {} }] })),
    tools: [hang],
  });
}

async function failsAtCap(root: Step<string, unknown>): Promise<{ err: BudgetExceeded; trace: SpanRecord[] }> {
  const err = await run(root, 'go', { budget: { maxWallMs: 150 } }).then(
    () => {
      throw new Error('the run completed');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BudgetExceeded);
  expect((err as BudgetExceeded).limit).toBe('maxWallMs');
  return { err: err as BudgetExceeded, trace: (err as BudgetExceeded).trace };
}

function abandoned(trace: SpanRecord[], kind: SpanRecord['kind']): SpanRecord | undefined {
  return trace.find((s) => s.kind === kind && s.error?.name === 'Abandoned');
}

describe('the wall-time cap', () => {
  it('stops a run whose tool (no timeoutMs) ignores the signal; the tool span is abandoned', async () => {
    const hang = tool({ name: 'hang', description: 'Never returns.', input: z.object({}), execute: NEVER });
    const { trace } = await failsAtCap(agentWith(hang));
    const span = abandoned(trace, 'tool')!;
    expect(span).toMatchObject({ name: 'hang', status: 'error', attributes: { abandoned: true } });
    expect(trace.at(-1)!.kind).toBe('run');
  }, 10_000);

  it('stops a run whose guard never answers', async () => {
    const hang = tool({ name: 'hang', description: 'Guarded.', input: z.object({}), irreversible: true, guard: NEVER, execute: () => 'ran' });
    const { trace } = await failsAtCap(agentWith(hang));
    expect(abandoned(trace, 'tool')).toBeDefined();
  }, 10_000);

  it('stops a run whose custom step never settles', async () => {
    const inner = step('forever', NEVER);
    const outer = step('outer', async (input: string, ctx) => runStep(ctx, inner, input));
    const { trace } = await failsAtCap(outer);
    expect(abandoned(trace, 'step')).toMatchObject({ name: 'forever' });
  }, 10_000);

  it('stops a run whose model ignores the signal', async () => {
    const deaf: Model = { provider: 'deaf', modelId: 'deaf-1', generate: NEVER, stream: () => ({ [Symbol.asyncIterator]: () => ({ next: NEVER }) }) };
    const { trace } = await failsAtCap(new Agent({ name: 'deaf', instructions: 'x', model: deaf }));
    expect(abandoned(trace, 'model')).toMatchObject({ attributes: { abandoned: true } });
  }, 10_000);

  it("ignores the abandoned work's late outcome: nothing is added to the trace when it finishes", async () => {
    let finished = false;
    const late = tool({
      name: 'hang',
      description: 'Answers after the cap.',
      input: z.object({}),
      execute: () =>
        new Promise((resolve) =>
          setTimeout(() => {
            finished = true;
            resolve('too late');
          }, 400),
        ),
    });
    const { trace } = await failsAtCap(agentWith(late));
    const length = trace.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(finished).toBe(true);
    expect(trace).toHaveLength(length);
    expect(trace.some((s) => s.kind === 'tool' && s.status === 'ok')).toBe(false);
  }, 10_000);

  it('stops a durable run too, which is recorded as failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-wallcap-'));
    const store = await openStore(join(dir, 'state.db'));
    try {
      const hang = tool({ name: 'hang', description: 'Never returns.', input: z.object({}), execute: NEVER });
      const err = await durableRun('stuck', agentWith(hang), 'go', { store, runId: 'w1', budget: { maxWallMs: 150 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BudgetExceeded);
      expect((await store.getRun('w1'))!.status).toBe('failed');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 10_000);
});

describe("a tool's own timeoutMs", () => {
  it('ends a tool that ignores its signal as a timeout tool error; the run goes on', async () => {
    const hang = tool({ name: 'hang', description: 'Never returns.', input: z.object({}), timeoutMs: 50, execute: NEVER });
    const res = await run(agentWith(hang), 'go');
    expect(res.output.text).toBe('saw Error: hang failed: tool hang timed out after 50 ms');
  }, 10_000);
});
