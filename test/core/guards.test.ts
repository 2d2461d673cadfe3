/**
 * Guards fail closed (issue 13 item 3): only `true` or `{ allow: true }`
 * allows; a guard that throws, answers anything else or never answers denies
 * the call, which goes back to the model as a tool error with the reason.
 * The run goes on; the tool never runs.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, run, tool, type ApprovalGate } from 'agent-patterns';
import { scripted, toolResults } from 'agent-patterns/testing';

function refundRun(guard: (input: { amount: number }) => unknown, extra: { timeoutMs?: number; approval?: true } = {}) {
  const executed: number[] = [];
  const refund = tool({
    name: 'refund',
    description: 'Refund an amount. Irreversible.',
    input: z.object({ amount: z.number() }),
    irreversible: true,
    guard: guard as (input: { amount: number }) => boolean,
    ...extra,
    execute: ({ amount }) => {
      executed.push(amount);
      return `refunded ${amount}`;
    },
  });
  const model = scripted((req) => {
    const results = toolResults(req);
    return results.length ? `model saw: ${results[0]!.content}` : { toolCalls: [{ name: 'refund', args: { amount: 50 } }] };
  });
  const agent = new Agent({ name: 'refunder', instructions: 'Refund 50.', model, tools: [refund] });
  return { agent, executed };
}

describe('a guard', () => {
  it('allows with true or { allow: true }', async () => {
    for (const answer of [true, { allow: true }, { allow: true, reason: 'small' }]) {
      const { agent, executed } = refundRun(() => answer);
      const res = await run(agent, 'go');
      expect(res.output.text).toBe('model saw: refunded 50');
      expect(executed).toEqual([50]);
    }
  });

  it('that throws denies the call as a tool error with its message; the run goes on', async () => {
    const { agent, executed } = refundRun(() => {
      throw new TypeError('limits table missing');
    });
    const res = await run(agent, 'go');
    expect(res.output.text).toBe('model saw: Error: blocked by policy: the guard failed: limits table missing');
    expect(executed).toEqual([]);
    const decision = res.trace.find((s) => s.name === 'guard:refund')!;
    expect(decision.attributes).toMatchObject({ allow: false });
  });

  it.each([
    ['undefined', undefined],
    ['{ allow: "false" }', { allow: 'false' }],
    ['{ allow: "true" }', { allow: 'true' }],
    ['{ allow: 1 }', { allow: 1 }],
    ['"yes"', 'yes'],
    ['null', null],
    ['{}', {}],
  ])('that answers %s denies the call', async (_label, answer) => {
    const { agent, executed } = refundRun(() => answer);
    const res = await run(agent, 'go');
    expect(executed).toEqual([]);
    expect(res.output.text).toMatch(/^model saw: Error: blocked by policy: the guard's answer is neither true\/false nor \{ allow: true\/false \}/);
  });

  it('that never answers ends as a timeout tool error at the tool time limit', async () => {
    const { agent, executed } = refundRun(() => new Promise(() => {}), { timeoutMs: 50 });
    const res = await run(agent, 'go');
    expect(executed).toEqual([]);
    expect(res.output.text).toBe('model saw: Error: blocked by policy: the guard failed: the guard of refund timed out after 50 ms');
  }, 10_000);

  it('that fails is not overruled by a human approval: the gate is not asked', async () => {
    let asked = 0;
    const approvals: ApprovalGate = {
      authorize: async () => {
        asked++;
        return { approved: true, reviewer: 'rubber-stamp' };
      },
    };
    const { agent, executed } = refundRun(() => undefined, { approval: true });
    const res = await run(agent, 'go', { approvals });
    expect(asked).toBe(0);
    expect(executed).toEqual([]);
    expect(res.output.text).toMatch(/blocked by policy/);

    // A guard's plain "no" still goes to the human when the tool has an approval.
    const plainNo = refundRun(() => ({ allow: false, reason: 'over the limit' }), { approval: true });
    const approved = await run(plainNo.agent, 'go', { approvals });
    expect(asked).toBe(1);
    expect(plainNo.executed).toEqual([50]);
    expect(approved.output.text).toBe('model saw: refunded 50');
  });
});
