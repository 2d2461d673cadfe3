import { describe, expect, it } from 'vitest';
import { example, fraudDecisionStep, generateFraudEvents } from '../../examples/vend/fraud-events.js';
import { run } from '../../src/core/run.js';

describe('fraud-events example (pattern 15)', () => {
  it('generates a burst with the asked share of duplicates', () => {
    const events = generateFraudEvents(200, { duplicateRate: 0.1 });
    expect(events).toHaveLength(200);
    expect(new Set(events.map((e) => e.id)).size).toBe(180);
  });

  it('decides every distinct event once and skips the duplicates', async () => {
    const out = await example.run(example.defaultInput);
    expect(out.outcome).toBe('200 events, 180 decided, 20 duplicates skipped');
    const details = out.details as { byAction: Record<string, number>; decisionsStored: number };
    expect(details.decisionsStored).toBe(180);
    expect(details.byAction.block! + details.byAction.flag! + details.byAction.allow!).toBe(180);
    // The burst shows all three outcomes of the decision schema.
    expect(Object.values(details.byAction).every((n) => n > 0)).toBe(true);
    expect(out.result.scripted).toBe(true);
    expect(out.result.usage.modelTurns).toBe(180);
  });

  it('enriches, then asks the analyst for a schema-valid decision, in one traced run', async () => {
    const [e] = generateFraudEvents(1, { duplicateRate: 0 });
    const r = await run(fraudDecisionStep(), e!.payload);
    expect(['block', 'flag', 'allow']).toContain(r.output.action);
    expect(r.output.event_id).toBe(e!.id);
    const names = r.trace.map((s) => `${s.kind}:${s.name}`);
    expect(names).toEqual(expect.arrayContaining(['step:enrich', 'step:fraud-analyst', 'decision:fraud-action', 'run:fraud-events']));
  });
});
