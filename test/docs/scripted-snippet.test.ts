/** The README's note on scripted models: a list answers per conversation turn, rules answer per stage. */
import { describe, expect, it } from 'vitest';
import { answer } from '../../docs/snippets/scripted.js';
import { prompt, run, sequence } from 'agent-patterns';
import { scripted } from 'agent-patterns/testing';

describe('scripted models in a sequence', () => {
  it('scripted([...]) gives every stage its first reply (each stage is a new conversation)', async () => {
    const model = scripted(['first', 'second']);
    const pipeline = sequence(prompt({ name: 'a', model, instructions: 'a' }), prompt({ name: 'b', model, instructions: 'b' }));
    expect((await run(pipeline, 'x')).output).toBe('first');
  });

  it('scriptedByRules answers each stage by its instructions (the snippet)', async () => {
    expect(await answer('Where is my order 1042?')).toBe('Order 1042 has shipped with DHL.');
  });
});
