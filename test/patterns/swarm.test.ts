import { describe, expect, it } from 'vitest';
import { BudgetExceeded, ConfigError, RunAborted } from '../../src/core/errors.js';
import type { CallOptions, Model, ModelRequest } from '../../src/core/model.js';
import { streamFromGenerate } from '../../src/core/model.js';
import { step } from '../../src/core/step.js';
import { run } from '../../src/core/run.js';
import { lastUserMessage, scripted, systemPrompt } from '../../src/models/scripted.js';
import { rotating, sameStance, stanceOf, swarm, type SwarmTurn } from '../../src/patterns/swarm.js';
import { example, productDecisionSwarm, swarmScript } from '../../examples/vend/product-decision.js';

/** Records every request a model receives. */
function recording(model: Model) {
  const requests: ModelRequest[] = [];
  const m: Model & { requests: ModelRequest[] } = {
    provider: model.provider,
    modelId: model.modelId,
    requests,
    generate(request: ModelRequest, options?: CallOptions) {
      requests.push(request);
      return model.generate(request, options);
    },
    stream: (request: ModelRequest, options?: CallOptions) => streamFromGenerate(m, request, options),
  };
  return m;
}

const speaker = (name: string, stance: (round: number) => string) =>
  step<SwarmTurn, string>(name, (t) => `${name} speaks in round ${t.round}\nSTANCE: ${stance(t.round)}`);

/** The same model under another id, to see which model every agent used. */
function renamed(model: Model, modelId: string): Model {
  return { provider: model.provider, modelId, generate: (r, o) => model.generate(r, o), stream: (r, o) => model.stream(r, o) };
}

describe('swarm (pattern 9)', () => {
  it('debates on a shared transcript, stops early on consensus, and the facilitator sees exactly the transcript', async () => {
    const model = recording(swarmScript());
    const { output, trace } = await run(productDecisionSwarm(model), 'Launch a subscription tier?');
    expect(output.stopReason).toBe('consensus');
    expect(output.roundsRun).toBe(2);
    expect(output.entries.map((e) => e.role)).toEqual(['research', 'engineering', 'finance', 'support', 'research', 'engineering', 'finance', 'support']);
    expect(output.entries.filter((e) => e.round === 2).map((e) => stanceOf(e.text))).toEqual(['pilot', 'pilot', 'pilot', 'pilot']);
    const facilitatorCall = model.requests.find((r) => systemPrompt(r).includes('neutral decision facilitator'))!;
    expect(facilitatorCall.messages.filter((m) => m.role !== 'system')).toEqual([{ role: 'user', content: output.transcript }]);
    // Each role saw everything said before its turn.
    const financeRound2 = model.requests.filter((r) => systemPrompt(r).includes('You represent finance'))[1]!;
    expect(lastUserMessage(financeRound2)).toContain('[engineering, round 2]');
    expect(lastUserMessage(financeRound2)).not.toContain('[support, round 2]');
    expect(output.recommendation).toMatch(/^Recommendation: run a limited subscription pilot/);
    expect(trace.filter((s) => s.kind === 'decision' && s.name === 'swarm:consensus').map((s) => s.attributes.agreed)).toEqual([false, true]);
  });

  it('the example reports the consensus for the demo', async () => {
    const out = await example.run(example.defaultInput);
    expect(out.outcome).toBe('consensus "pilot" after 2 of 3 rounds');
    expect(out.result.scripted).toBe(true);
  });

  it('runs every round when the roles disagree, with the turn policy deciding who speaks first', async () => {
    const roles = { a: speaker('a', () => 'yes'), b: speaker('b', (r) => (r < 3 ? 'no' : 'yes')), c: speaker('c', () => 'no') };
    const facilitatorInputs: string[] = [];
    const facilitator = step<string, string>('facilitator', (t) => {
      facilitatorInputs.push(t);
      return 'summary';
    });
    const { output } = await run(swarm(roles, facilitator, { rounds: 3, consensus: sameStance, turns: rotating }), 'q?');
    expect(output.stopReason).toBe('rounds');
    expect(output.roundsRun).toBe(3);
    expect(output.entries.map((e) => e.role).join('')).toBe('abcbcacab');
    expect(facilitatorInputs).toEqual([output.transcript]);
    expect(output.transcript.startsWith('Decision question: q?\n')).toBe(true);
  });

  it('refuses a turn policy that names an unknown role or repeats one', async () => {
    const roles = { a: speaker('a', () => 'x') };
    const facilitator = step<string, string>('f', () => '');
    await expect(run(swarm(roles, facilitator, { turns: () => ['a', 'z'] }), 'q')).rejects.toThrow(ConfigError);
    await expect(run(swarm(roles, facilitator, { turns: () => ['a', 'a'] }), 'q')).rejects.toThrow(/speaks twice/);
  });

  it('stops with BudgetExceeded and the partial trace when the budget runs out mid-debate', async () => {
    const err = await run(productDecisionSwarm(swarmScript()), 'q?', { budget: { maxModelTurns: 5 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceeded);
    const trace = (err as BudgetExceeded).trace;
    expect(trace.filter((s) => s.kind === 'model' && s.status === 'ok')).toHaveLength(5);
    expect(trace.some((s) => s.kind === 'budget')).toBe(true);
    expect(trace.some((s) => s.name === 'facilitator')).toBe(false);
  });

  it('stops with RunAborted when cancelled mid-debate', async () => {
    const ctl = new AbortController();
    let calls = 0;
    const model = scripted(
      () => {
        if (++calls === 3) ctl.abort('meeting over');
        return 'point\nSTANCE: pilot';
      },
      { delayMs: 1 },
    );
    const err = await run(productDecisionSwarm(model), 'q?', { signal: ctl.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunAborted);
    expect(calls).toBe(3);
  });

  it('reads stance lines deterministically', () => {
    expect(stanceOf('long argument\nSTANCE: Launch')).toBe('launch');
    expect(stanceOf('stance: launch is what I said earlier, but')).toBeUndefined();
    expect(sameStance([{ role: 'a', round: 1, text: 'x\nSTANCE: pilot' }, { role: 'b', round: 1, text: 'no stance' }])).toBe(false);
  });

  it('uses options.model for every agent of the example', async () => {
    const out = await example.run(example.defaultInput, { model: renamed(swarmScript(), 'given-model') });
    const models = out.result.trace.filter((s) => s.kind === 'model');
    expect(models.length).toBeGreaterThan(1);
    expect(models.every((s) => s.attributes.model === 'given-model')).toBe(true);
  });
});
