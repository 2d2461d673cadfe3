import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Agent, Budget, BudgetExceeded, ConfigError, run, setPrice, tool, type BudgetLimits, type Model } from 'agent-patterns';
import { scripted, toolResults } from 'agent-patterns/testing';

const add = tool({ name: 'add', description: 'Add two numbers.', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b });

/** Calls `add` forever: only a budget can stop it. */
function endlessAgent(usage = { inputTokens: 10, outputTokens: 5 }, modelId?: string) {
  const script = scripted((req) => ({ toolCalls: [{ name: 'add', args: { a: toolResults(req).length, b: 1 } }], usage }));
  // The scripted model is free by definition: a priced model is the same script under another provider's name.
  const model: Model = modelId ? { provider: 'test-provider', modelId, generate: (r, o) => script.generate(r, o), stream: (r, o) => script.stream(r, o) } : script;
  return new Agent({ name: 'endless', instructions: 'loop', model, tools: [add], maxTurns: 1000 });
}

async function tripped(limits: BudgetLimits, agent = endlessAgent()): Promise<BudgetExceeded> {
  const err = await run(agent, 'go', { budget: limits }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BudgetExceeded);
  return err as BudgetExceeded;
}

describe('Budget caps', () => {
  it('maxModelTurns trips with a typed error and the partial trace', async () => {
    const err = await tripped({ maxModelTurns: 3 });
    expect(err.limit).toBe('maxModelTurns');
    expect(err.code).toBe('BUDGET_EXCEEDED');
    expect(err.trace.filter((s) => s.kind === 'model')).toHaveLength(3);
    expect(err.trace.filter((s) => s.kind === 'tool')).toHaveLength(3);
    expect(err.trace.some((s) => s.kind === 'budget' && s.name === 'maxModelTurns')).toBe(true);
    expect(err.trace.find((s) => s.kind === 'run')?.status).toBe('error');
  });

  it('maxToolCalls trips', async () => {
    const err = await tripped({ maxToolCalls: 4 });
    expect(err.limit).toBe('maxToolCalls');
    expect(err.trace.filter((s) => s.kind === 'tool')).toHaveLength(4);
  });

  it('input, output and total token caps trip', async () => {
    expect((await tripped({ maxInputTokens: 25 })).limit).toBe('maxInputTokens');
    expect((await tripped({ maxOutputTokens: 12 })).limit).toBe('maxOutputTokens');
    const total = await tripped({ maxTotalTokens: 40 });
    expect(total.limit).toBe('maxTotalTokens');
    expect(total.used).toBeGreaterThan(40);
  });

  it('cost cap trips using the price table', async () => {
    setPrice('test-priced-model', { inputPerMTok: 1_000_000, outputPerMTok: 0 }); // $1 per input token
    const err = await tripped({ maxCostUsd: 25 }, endlessAgent({ inputTokens: 10, outputTokens: 1 }, 'test-priced-model'));
    expect(err.limit).toBe('maxCostUsd');
    expect(err.usage).toMatchObject({ modelTurns: 3, costUsd: 30 });
  });

  it('a cost cap on a model without a price fails before the first call, saying how to set one', async () => {
    let calls = 0;
    const unpriced: Model = {
      provider: 'test-provider',
      modelId: 'no-such-price',
      generate: async () => (calls++, { text: 'x', toolCalls: [], usage: { inputTokens: 1, outputTokens: 1 }, finishReason: 'stop' }),
      stream: () => { throw new Error('unused'); },
    };
    const agent = new Agent({ name: 'a', instructions: 'x', model: unpriced });
    const err = await run(agent, 'go', { budget: { maxCostUsd: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/test-provider:no-such-price has no price.*setPrice\('test-provider:no-such-price'/);
    expect(calls).toBe(0);
    // Without an explicit cap (the default one applies) the model runs, at no known cost.
    await expect(run(agent, 'go')).resolves.toMatchObject({ usage: { costUsd: 0 } });
    expect(calls).toBe(1);
  });

  it('the scripted model is free: a cost cap never asks it for a price', async () => {
    const res = await run(new Agent({ name: 'a', instructions: 'x', model: scripted(['done'], { name: 'unlisted-name' }) }), 'go', { budget: { maxCostUsd: 0.01 } });
    expect(res.usage.costUsd).toBe(0);
  });

  it('wall-time cap aborts an in-flight model call', async () => {
    const slow = scripted(() => ({ text: 'late', delayMs: 5_000 }));
    const agent = new Agent({ name: 'slow', instructions: 'x', model: slow });
    const err = await run(agent, 'go', { budget: { maxWallMs: 50 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceeded);
    expect((err as BudgetExceeded).limit).toBe('maxWallMs');
  });

  it('a long wall-time cap (shared sweep, not a timer per run) still aborts a hung call', async () => {
    vi.useFakeTimers();
    try {
      const hung = scripted(() => ({ text: 'never', delayMs: 10 * 60_000 }));
      const p = run(new Agent({ name: 'hung', instructions: 'x', model: hung }), 'go', { budget: { maxWallMs: 120_000 } }).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(119_000);
      let settled = false;
      void p.then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(0);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(2_000);
      const err = await p;
      expect(err).toBeInstanceOf(BudgetExceeded);
      expect((err as BudgetExceeded).limit).toBe('maxWallMs');
    } finally {
      vi.useRealTimers();
    }
  });

  it('every run has a budget by default', async () => {
    const err = await tripped({});
    expect(err.limit).toBe('maxModelTurns');
    expect(err.max).toBe(100);
  });

  it('one budget is shared by nested steps of a run', async () => {
    const budget = new Budget({ maxModelTurns: 5 });
    const a = endlessAgent();
    const err = await run({ name: 'two', run: async (i: string, ctx) => { await a.run(i, ctx).catch(() => {}); return a.run(i, ctx); } }, 'go', { budget }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceeded);
    expect(budget.modelTurns).toBe(5);
  });

  it('rejects a bad limit with the field named', () => {
    expect(() => new Budget({ maxToolCalls: -1 })).toThrow(ConfigError);
    expect(() => new Budget({ maxToolCalls: -1 })).toThrow(/budget\.maxToolCalls/);
    expect(() => new Budget({ maxCostUsd: Number.NaN })).toThrow(/budget\.maxCostUsd/);
  });

  it('a run within budget reports its usage', async () => {
    const model = scripted([{ toolCalls: [{ name: 'add', args: { a: 1, b: 2 } }], usage: { inputTokens: 7, outputTokens: 3 } }, { text: 'three', usage: { inputTokens: 9, outputTokens: 2 } }]);
    const res = await run(new Agent({ name: 'a', instructions: 'x', model, tools: [add] }), 'go');
    expect(res.usage).toMatchObject({ modelTurns: 2, toolCalls: 1, inputTokens: 16, outputTokens: 5 });
    expect(res.output.text).toBe('three');
  });
});
