import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { z } from 'zod';
import { Agent, ConfigError, MaxTurnsExceeded, OutputValidationError, RunAborted, run, spanTree, tool, type AnyTool } from 'agent-patterns';
import { scripted, toolResults, type ScriptedTurn } from 'agent-patterns/testing';

const order = tool({
  name: 'get_order',
  description: 'Fetch an order by id.',
  input: z.object({ order_id: z.string().regex(/^\d+$/) }),
  execute: ({ order_id }) => ({ order_id, status: 'shipped' }),
});

/** First turn: whatever `first` says; then answer with the last tool result's content. */
function echoAgent(first: ScriptedTurn, tools: AnyTool[] = [order]) {
  const model = scripted((req, turn) => (turn === 0 ? first : `saw: ${toolResults(req).at(-1)?.content}`));
  return new Agent({ name: 'echo', instructions: 'x', model, tools });
}

describe('Agent tool loop', () => {
  it('runs a tool and answers from its result, with the action trace', async () => {
    const res = await run(echoAgent({ toolCalls: [{ name: 'get_order', args: { order_id: '42' } }] }), 'where?');
    expect(res.output.text).toBe('saw: {"order_id":"42","status":"shipped"}');
    expect(res.output.actions).toEqual([
      expect.objectContaining({ turn: 1, tool: 'get_order', args: { order_id: '42' }, ok: true, result: { order_id: '42', status: 'shipped' } }),
    ]);
    expect(res.output.stopReason).toBe('final');
  });

  it('feeds malformed JSON arguments back to the model as a tool error', async () => {
    const res = await run(echoAgent({ toolCalls: [{ name: 'get_order', args: '{"order_id": ' }] }), 'x');
    expect(res.output.text).toMatch(/^saw: Error: arguments are not valid JSON/);
    expect(res.output.actions[0]!.ok).toBe(false);
  });

  it('feeds schema violations back with the field named', async () => {
    const res = await run(echoAgent({ toolCalls: [{ name: 'get_order', args: { order_id: 'abc' } }] }), 'x');
    expect(res.output.text).toMatch(/invalid arguments for get_order: order_id:/);
  });

  it('feeds unknown tool names back with the available tools', async () => {
    const res = await run(echoAgent({ toolCalls: [{ name: 'delete_everything', args: {} }] }), 'x');
    expect(res.output.text).toMatch(/Unknown tool "delete_everything"\. Available tools: get_order/);
  });

  it('feeds tool exceptions back instead of crashing', async () => {
    const boom = tool({ name: 'boom', description: 'Fails.', input: z.object({}), execute: () => { throw new Error('db down'); } });
    const res = await run(echoAgent({ toolCalls: [{ name: 'boom', args: {} }] }, [boom]), 'x');
    expect(res.output.text).toBe('saw: Error: boom failed: db down');
  });

  it('times a slow tool out as a tool error', async () => {
    const slow = tool({ name: 'slow', description: 'Slow.', input: z.object({}), timeoutMs: 20, execute: () => new Promise((r) => setTimeout(() => r('late'), 2_000)) });
    const res = await run(echoAgent({ toolCalls: [{ name: 'slow', args: {} }] }, [slow]), 'x');
    expect(res.output.text).toMatch(/slow failed: tool slow timed out after 20 ms/);
  });

  it('runs the tool calls of one turn concurrently', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const wait = tool({
      name: 'wait', description: 'Waits.', input: z.object({ i: z.number() }),
      execute: async ({ i }) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight--;
        return i;
      },
    });
    const res = await run(echoAgent({ toolCalls: [0, 1, 2].map((i) => ({ name: 'wait', args: { i } })) }, [wait]), 'x');
    expect(maxInFlight).toBe(3);
    expect(res.output.actions.map((a) => a.result)).toEqual([0, 1, 2]);
  });

  it('stops at its own turn cap with MaxTurnsExceeded, carrying what it did (never a canned answer)', async () => {
    const model = scripted(() => ({ toolCalls: [{ name: 'get_order', args: { order_id: '1' } }] }));
    const err = await run(new Agent({ name: 'a', instructions: 'x', model, tools: [order], maxTurns: 3 }), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaxTurnsExceeded);
    const e = err as MaxTurnsExceeded;
    expect(e.code).toBe('MAX_TURNS_EXCEEDED');
    expect(e.maxTurns).toBe(3);
    expect(e.actions).toHaveLength(3);
    expect(e.messages.at(-1)).toMatchObject({ role: 'tool', toolName: 'get_order' });
  });

  it('the default turn cap is 20, as documented', async () => {
    const model = scripted(() => ({ toolCalls: [{ name: 'get_order', args: { order_id: '1' } }] }));
    const err = await run(new Agent({ name: 'a', instructions: 'x', model, tools: [order] }), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaxTurnsExceeded);
    expect((err as MaxTurnsExceeded).actions).toHaveLength(20);
  });

  it('validates structured output and lets the model correct itself once', async () => {
    const model = scripted([{ text: '{"specialist":"pirate"}' }, { object: { specialist: 'billing', reason: 'invoice' } }]);
    const schema = z.object({ specialist: z.enum(['billing', 'fraud']), reason: z.string() });
    const res = await run(new Agent({ name: 'router', instructions: 'route', model, output: schema, maxTurns: 2 }), 'x');
    expect(res.output.output).toEqual({ specialist: 'billing', reason: 'invoice' });
    const bad = scripted(() => '{"specialist":"pirate"}');
    await expect(run(new Agent({ name: 'router', instructions: 'route', model: bad, output: schema, maxTurns: 2 }), 'x')).rejects.toBeInstanceOf(OutputValidationError);
  });

  it('stops on abort with RunAborted', async () => {
    const ac = new AbortController();
    const slow = scripted(() => ({ text: 'late', delayMs: 5_000 }));
    const p = run(new Agent({ name: 'a', instructions: 'x', model: slow }), 'x', { signal: ac.signal });
    setTimeout(() => ac.abort('user cancelled'), 10);
    await expect(p).rejects.toBeInstanceOf(RunAborted);
  });

  it('traces model and tool calls as children of the run', async () => {
    const res = await run(echoAgent({ toolCalls: [{ name: 'get_order', args: { order_id: '7' } }] }), 'x');
    const [root, ...others] = spanTree(res.trace);
    expect(others).toHaveLength(0);
    expect(root!.span.kind).toBe('run');
    expect(root!.children.map((c) => `${c.span.kind}:${c.span.name}`)).toEqual(['model:echo', 'tool:get_order', 'model:echo']);
    const model = res.trace.find((s) => s.kind === 'model')!;
    expect(model.attributes).toMatchObject({ provider: 'scripted', usage: expect.any(Object), providerRequestId: 'scripted-0' });
    expect(res.scripted).toBe(true);
  });

  it('property: any argument text is either accepted or becomes a tool error, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.constant('{"order_id":"12"}')), async (args) => {
        const res = await run(echoAgent({ toolCalls: [{ name: 'get_order', args }] }), 'x');
        const action = res.output.actions[0]!;
        expect(typeof action.ok).toBe('boolean');
        if (!action.ok) expect(res.output.text).toMatch(/^saw: Error: /);
      }),
      { numRuns: 60 },
    );
  });
});

describe('Tool definitions', () => {
  it('an irreversible tool needs a guard or an approval', () => {
    expect(() => tool({ name: 'refund', description: 'Moves money.', input: z.object({}), irreversible: true, execute: () => 1 })).toThrow(ConfigError);
  });

  it('a guard that says no blocks the call and tells the model why', async () => {
    let ran = 0;
    const refund = tool({
      name: 'refund', description: 'Refund an order.', input: z.object({ amount: z.number() }), irreversible: true,
      guard: ({ amount }) => ({ allow: amount <= 100, reason: `amount ${amount} is over the 100 limit` }),
      execute: () => ++ran,
    });
    const res = await run(echoAgent({ toolCalls: [{ name: 'refund', args: { amount: 500 } }] }, [refund]), 'x');
    expect(ran).toBe(0);
    expect(res.output.text).toMatch(/blocked by policy: amount 500 is over the 100 limit/);
    expect(res.trace.some((s) => s.kind === 'decision' && s.name === 'guard:refund' && s.attributes.allow === false)).toBe(true);
  });

  it('an approval-gated tool does not run without an approval gate', async () => {
    let ran = 0;
    const refund = tool({ name: 'refund', description: 'Refund.', input: z.object({}), irreversible: true, approval: true, execute: () => ++ran });
    const res = await run(echoAgent({ toolCalls: [{ name: 'refund', args: {} }] }, [refund]), 'x');
    expect(ran).toBe(0);
    expect(res.output.text).toMatch(/needs a human approval/);
  });

  it('sends strict JSON schema when the zod schema allows it', () => {
    expect(order.spec.strict).toBe(true);
    expect(order.spec.parameters).toMatchObject({ type: 'object', required: ['order_id'], additionalProperties: false });
    const loose = tool({ name: 'loose', description: 'x', input: z.object({ q: z.string().optional() }), execute: () => 1 });
    expect(loose.spec.strict).toBe(false);
  });
});

describe('cancellation without a reason', () => {
  it('a bare abort() still stops the run with RunAborted', async () => {
    const ac = new AbortController();
    const slow = scripted(() => ({ text: 'late', delayMs: 5_000 }));
    const p = run(new Agent({ name: 'a', instructions: 'x', model: slow }), 'x', { signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    await expect(p).rejects.toBeInstanceOf(RunAborted);
  });
});
