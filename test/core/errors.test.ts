/**
 * Errors that survive two copies of the package (issue 15 item 7): a
 * Symbol.for brand read by isAgentPatternsError and instanceof; run() wraps
 * errors it does not own instead of writing on them; a suspension is a result.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Agent, AgentPatternsError, BudgetExceeded, ConfigError, RunFailed, RunSuspended, StepFailed, isAgentPatternsError, run, step, tool,
} from 'agent-patterns';
import { scripted, toolResults } from 'agent-patterns/testing';

// A second copy of the errors module (another version of the package in node_modules, a bundle):
// its classes are not ours, its errors carry the same brand.
const secondCopy = '../../src/core/errors.js?second-copy';
const other = (await import(/* @vite-ignore */ secondCopy)) as typeof import('../../src/core/errors.js');

describe('error brands', () => {
  it('the second copy really has other classes', () => {
    expect(other.BudgetExceeded).not.toBe(BudgetExceeded);
  });

  it('isAgentPatternsError and instanceof recognise errors of another copy, by class and subclass', () => {
    const foreign = new other.BudgetExceeded('maxModelTurns', 1, 2);
    expect(isAgentPatternsError(foreign)).toBe(true);
    expect(isAgentPatternsError(foreign, BudgetExceeded)).toBe(true);
    expect(isAgentPatternsError(foreign, ConfigError)).toBe(false);
    expect(foreign instanceof BudgetExceeded).toBe(true);
    expect(foreign instanceof AgentPatternsError).toBe(true);
    expect(new BudgetExceeded('maxModelTurns', 1, 2) instanceof other.BudgetExceeded).toBe(true);
    expect(new other.StepFailed('s', new Error('x')) instanceof BudgetExceeded).toBe(false);
    expect(isAgentPatternsError(new Error('plain'))).toBe(false);
    expect(isAgentPatternsError({ code: 'BUDGET_EXCEEDED', name: 'BudgetExceeded' })).toBe(false);
    expect(new Error('plain') instanceof AgentPatternsError).toBe(false);
  });

  it("a run-level stop from another copy stops the run instead of going to the model as a tool error", async () => {
    const stop = tool({
      name: 'stop',
      description: 'Raises the budget error of another copy.',
      input: z.object({}),
      execute: () => {
        throw new other.BudgetExceeded('maxToolCalls', 0, 1);
      },
    });
    const model = scripted((req) => (toolResults(req).length ? 'went on' : { toolCalls: [{ name: 'stop', args: {} }] }));
    const err = await run(new Agent({ name: 'a', instructions: 'x', model, tools: [stop] }), 'go').catch((e: unknown) => e);
    expect(isAgentPatternsError(err, BudgetExceeded)).toBe(true);
  });
});

describe('errors at the run boundary', () => {
  it("an error that is not the library's is wrapped with it as cause, and nothing is written on it", async () => {
    const original = new TypeError('user bug');
    const err = await run(step('buggy', () => {
      throw original;
    }), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunFailed);
    const failed = err as RunFailed;
    expect(failed.cause).toBe(original);
    expect(failed.message).toBe('user bug');
    expect(failed.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(failed.trace.at(-1)!.kind).toBe('run');
    expect(Object.keys(original)).toEqual([]);
    expect('runId' in original || 'trace' in original).toBe(false);
  });

  it('our own errors carry the run id and trace', async () => {
    const err = await run(step('bad', () => {
      throw new StepFailed('inner', new Error('x'));
    }), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailed);
    expect((err as { runId?: string }).runId).toBeDefined();
    expect((err as { trace?: unknown[] }).trace!.length).toBeGreaterThan(0);
  });

  it('a suspension is a result with the pending approvals, not an exception', async () => {
    const res = await run(step('waits', (): string => {
      throw new RunSuspended(['apr_1', 'apr_2']);
    }), 'x');
    expect(res.status).toBe('suspended');
    if (res.status !== 'suspended') return;
    expect(res.pending).toEqual(['apr_1', 'apr_2']);
    expect(res.trace.at(-1)!.kind).toBe('run');

    const done = await run(step('ok', (x: string) => x), 'y');
    expect(done.status).toBe('completed');
    expect(done.output).toBe('y');
  });
});
