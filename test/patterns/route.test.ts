import { describe, expect, it } from 'vitest';
import { BudgetExceeded, ConfigError, RunAborted } from '../../src/core/errors.js';
import type { Model, ModelRequest } from '../../src/core/model.js';
import { step } from '../../src/core/step.js';
import { run } from '../../src/core/run.js';
import { lastUserMessage, scripted, systemPrompt } from '../../src/models/scripted.js';
import { route } from '../../src/patterns/route.js';
import { prompt } from '../../src/patterns/prompt.js';
import { refine, type RefineRequest, type Score, type ScoreRequest } from '../../src/patterns/refine.js';
import { spanTree, type SpanNode } from '../../src/core/tracer.js';
import { example, supportCoordinator, coordinatorScript } from '../../examples/vend/support-coordinator.js';

const echo = (name: string) => step<string, string>(name, (m) => `${name}: ${m}`);
const specialists = { billing: echo('billing'), shipping: echo('shipping') };

/** A model router that answers `decision` (as JSON) and records the requests it saw. */
function routerModel(decision: unknown, seen: ModelRequest[] = []) {
  return scripted((req) => {
    seen.push(req);
    return typeof decision === 'string' ? decision : { object: decision };
  });
}

/** The same model under another id, to see which model every agent used. */
function renamed(model: Model, modelId: string): Model {
  return { provider: model.provider, modelId, generate: (r, o) => model.generate(r, o), stream: (r, o) => model.stream(r, o) };
}

describe('route (pattern 7)', () => {
  it('routes to the specialist the router picks and traces the decision with its reason', async () => {
    const out = await example.run('I was charged twice for order 1042, please refund one.');
    expect(out.outcome).toBe('routed to billing (confidence 0.92)');
    expect(out.answer).toContain('invoice ID');
    const decision = out.result.trace.find((s) => s.kind === 'decision' && s.name === 'route');
    expect(decision?.attributes).toMatchObject({ specialist: 'billing', fallback: false, reason: 'The primary issue is a charge or refund.' });
    // The specialist ran under its own step span, after the router.
    expect(out.result.trace.some((s) => s.kind === 'step' && s.name === 'billing')).toBe(true);
  });

  it('sends the router an enum schema built from the specialists’ names', async () => {
    const seen: ModelRequest[] = [];
    await run(route({ model: routerModel({ specialist: 'shipping', reason: 'parcel', confidence: 0.9 }, seen) }, specialists, { fallback: 'billing' }), 'where is my parcel');
    const schema = seen[0]!.output!.schema as { properties: { specialist: { enum: string[] } } };
    expect(schema.properties.specialist.enum).toEqual(['billing', 'shipping']);
    expect(systemPrompt(seen[0]!)).toContain('- shipping');
  });

  it('takes the fallback for a low-confidence decision', async () => {
    const out = await example.run('hello, quick question about something');
    expect(out.outcome).toMatch(/^fallback to human lead \(confidence 0.35 is below 0.6\)/);
    expect(out.answer).toContain('support lead');
    const decision = out.result.trace.find((s) => s.kind === 'decision' && s.name === 'route');
    expect(decision?.attributes).toMatchObject({ fallback: true, proposed: 'technical' });
  });

  it('takes the fallback for an invalid decision (a name outside the enum, twice)', async () => {
    const { output } = await run(
      route({ model: routerModel({ specialist: 'legal', reason: 'contract', confidence: 0.99 }) }, specialists, { fallback: 'billing' }),
      'my contract',
    );
    expect(output.decision.fallback).toBe(true);
    expect(output.decision.specialist).toBe('billing');
    expect(output.decision.fallbackReason).toMatch(/invalid decision/);
    expect(output.output).toBe('billing: my contract');
  });

  it('validates a custom (code) router the same way', async () => {
    const router = step<string, unknown>('rules', () => ({ specialist: 'nope', reason: 'x' }));
    const { output } = await run(route(router, specialists, { fallback: 'shipping' }), 'q');
    expect(output.decision).toMatchObject({ fallback: true, proposed: 'nope', specialist: 'shipping' });
  });

  it('stops with BudgetExceeded (partial trace attached) when the budget runs out between router and specialist', async () => {
    const err = await run(supportCoordinator(), 'I was charged twice', { budget: { maxModelTurns: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceeded);
    const trace = (err as BudgetExceeded).trace;
    expect(trace.some((s) => s.kind === 'decision' && s.name === 'route' && s.attributes.specialist === 'billing')).toBe(true);
    expect(trace.some((s) => s.kind === 'budget' && s.name === 'maxModelTurns')).toBe(true);
  });

  it('stops with RunAborted when cancelled while the specialist works', async () => {
    const ctl = new AbortController();
    const model = scripted(
      (req) => {
        if (systemPrompt(req).includes('Route this')) return { object: { specialist: 'shipping', reason: 'parcel', confidence: 0.9 } };
        ctl.abort('customer hung up');
        return `answer to ${lastUserMessage(req)}`;
      },
      { delayMs: 1 },
    );
    const err = await run(supportCoordinator(model), 'where is my parcel', { signal: ctl.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunAborted);
    expect((err as Error).message).toContain('customer hung up');
  });

  it('rejects a fallback that is not a specialist', () => {
    expect(() => route({ model: routerModel({}) }, specialists, { fallback: 'legal' as 'billing' })).toThrow(ConfigError);
    expect(() => route({ model: routerModel({}) }, specialists, { fallback: 'billing', minConfidence: 2 })).toThrow(/minConfidence/);
  });

  it('uses options.model for every agent of the example', async () => {
    const out = await example.run('My parcel is stuck at customs.', { model: renamed(coordinatorScript(), 'given-model') });
    const models = out.result.trace.filter((s) => s.kind === 'model');
    expect(models.length).toBeGreaterThan(1);
    expect(models.every((s) => s.attributes.model === 'given-model')).toBe(true);
  });

  it('nests: a refine as a specialist shares the run budget and its spans hang under the route', async () => {
    const model = scripted((req) =>
      systemPrompt(req).includes('Route') ? { object: { specialist: 'careful', reason: 'needs polish', confidence: 0.9 } } : `v${lastUserMessage(req)}`,
    );
    const drafting = (name: string, scores: number[]) =>
      refine(
        prompt<RefineRequest<string, string>, string>({ name: `${name}-writer`, model, instructions: 'Write.', input: (r) => String(r.round) }),
        step<ScoreRequest<string, string>, Score>(`${name}-grade`, (r) => ({ score: scores[r.round - 1] ?? 0 })),
        { threshold: 8, name },
      );
    const coordinator = route({ model, instructions: 'Route it.' }, { quick: drafting('quick', [9]), careful: drafting('careful', [6, 9]) }, { fallback: 'quick' });
    const { output, trace, usage } = await run(coordinator, 'refund please');
    expect(output.decision.specialist).toBe('careful');
    expect(output.output.best).toBe('v2');
    expect(usage.modelTurns).toBe(3); // router + two writer rounds, one shared budget
    const root = spanTree(trace)[0]!;
    const find = (n: SpanNode, name: string): SpanNode | undefined => (n.span.name === name ? n : n.children.map((c) => find(c, name)).find(Boolean));
    const careful = find(root, 'careful')!;
    expect(careful.span.kind).toBe('step');
    expect(careful.children.filter((c) => c.span.name === 'careful-writer')).toHaveLength(2);
    await expect(run(coordinator, 'refund please', { budget: { maxModelTurns: 2 } })).resolves.toMatchObject({ output: { output: { stopReason: 'budget', best: 'v1' } } });
  });
});
