/**
 * The Vend order-support example's guardrails, offline on its scripted
 * model: another customer's order is refused before any model call or
 * lookup; a reply quoting a price no tool returned is sent back once and
 * the corrected reply goes out; a blocked correction ends in the refusal
 * written in code; the signed-in customer comes from run metadata.
 */
import { describe, expect, it } from 'vitest';
import { Agent, GuardrailTripped, run, type SpanRecord } from 'agent-patterns';
import { scripted, toolResults } from 'agent-patterns/testing';
import { example, orderTools, ownOrdersOnly, pricesFromToolData, SYSTEM_PROMPT } from '../../examples/vend/order-support.js';

const guardrailDecisions = (trace: readonly SpanRecord[]) =>
  trace.filter((s) => s.kind === 'decision' && s.name.startsWith('guardrail:')).map((s): Record<string, unknown> => ({ name: s.name, ...s.attributes }));

describe('order-support guardrails', () => {
  it('refuses a question about another customer\'s order before the model or a tool is called', async () => {
    const out = await example.run('I am customer c-22. Where is order 1042?');
    expect(out.outcome).toBe('refused by guardrail own-orders');
    expect(out.answer).toMatch(/only help with orders on your own account/);
    expect(out.answer).not.toMatch(/DHL|shipped|2026-06-01/);
    expect(out.result.usage).toMatchObject({ modelTurns: 0, toolCalls: 0 });
    expect(guardrailDecisions(out.result.trace)).toEqual([
      { name: 'guardrail:own-orders', stage: 'input', tripped: true, action: 'block', reason: 'order 1042 belongs to another customer than c-22' },
    ]);
  });

  it('answers the customer who owns the order, and takes the signed-in customer from run metadata', async () => {
    const own = await example.run('I am customer c-17. Where is order 1042?');
    expect(own.outcome).toBe('answered');
    expect(own.answer).toBe('Order 1042 is shipped with DHL (estimated delivery 2026-06-01).');
    // Signed in as c-22: the message claims nothing, the metadata says who asks.
    const signedIn = await example.run('Where is order 1042?', { metadata: { customerId: 'c-22' } });
    expect(signedIn.outcome).toBe('refused by guardrail own-orders');
  });

  it('lets a price from the tool data through', async () => {
    const out = await example.run('How much was order 1042?');
    expect(out.outcome).toBe('answered');
    expect(out.answer).toContain('The order total was $189.00.');
    expect(guardrailDecisions(out.result.trace).map((d) => [d.name, d.action])).toEqual([
      ['guardrail:own-orders', 'allow'],
      ['guardrail:prices-from-tools', 'allow'],
    ]);
  });

  it('sends back a reply with a made-up shipping price once; the corrected reply goes out (the demo input)', async () => {
    const out = await example.run(example.defaultInput);
    expect(out.outcome).toBe('answered after a guardrail correction');
    // The order total is in the tool data and stays; the shipping price is not and goes.
    expect(out.answer).toBe('Order 1042 is shipped with DHL (estimated delivery 2026-06-01). The order total was $189.00. I cannot quote shipping costs: they are not in the order data.');
    expect(out.answer).not.toContain('$14.99');
    expect(guardrailDecisions(out.result.trace).filter((d) => d.stage === 'output')).toMatchObject([
      { tripped: true, action: 'correct', reason: 'it quotes $14.99, which no tool returned' },
      { tripped: false, action: 'allow' },
    ]);
    expect(out.result.usage.modelTurns).toBe(3);
  });

  it('blocks a model that keeps the made-up price after the correction: the refusal is written in code', async () => {
    const stubborn = scripted((req) => (toolResults(req).length ? 'Order 1042 ships express for $14.99.' : { toolCalls: [{ name: 'get_order', args: { order_id: '1042' } }] }));
    const out = await example.run('Where is order 1042, and what would express shipping cost?', { model: stubborn });
    expect(out.outcome).toBe('refused by guardrail prices-from-tools');
    expect(out.answer).not.toContain('$14.99');
    expect(out.result.usage.modelTurns).toBe(3);
    // The agent alone, without the desk around it, fails with the typed error.
    const agent = new Agent({ name: 'bare', instructions: SYSTEM_PROMPT, model: stubborn, tools: orderTools(), guardrails: { input: [ownOrdersOnly], output: [pricesFromToolData] } });
    await expect(run(agent, 'Where is order 1042?')).rejects.toBeInstanceOf(GuardrailTripped);
  });
});
