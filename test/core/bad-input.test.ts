/**
 * Bad input to the library gets a typed error naming the field (at `tool()`,
 * `new Agent()` or `run()` time) or a tool error the model sees: never a raw
 * TypeError, a hang or a silent wrong result (issue 13, item 11).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, ConfigError, ModelError, run, step, tool } from 'agent-patterns';
import { scripted, toolResults } from 'agent-patterns/testing';

describe('a tool whose result has no JSON form', () => {
  for (const [kind, value] of [
    ['function', () => 1],
    ['symbol', Symbol('s')],
  ] as const) {
    it(`returning a ${kind} becomes a tool error, and the run goes on`, async () => {
      const odd = tool({ name: 'odd', description: 'Returns something odd.', input: z.object({}), execute: () => value });
      const model = scripted((req, turn) => (turn === 0 ? { toolCalls: [{ name: 'odd', args: {} }] } : `saw: ${toolResults(req)[0]!.content}`));
      const agent = new Agent({ name: 'a', instructions: 'x', model, tools: [odd] });
      const r = await run(agent, 'go');
      expect(r.output.actions[0]!.ok).toBe(false);
      expect(r.output.actions[0]!.result).toBe(`odd returned a ${kind}, which has no JSON form to show the model`);
      expect(r.output.text).toMatch(/^saw: Error: odd returned a/);
      expect(r.trace.find((s) => s.kind === 'tool')!.status).toBe('error');
    });
  }
});

describe('an Agent given something that is not a conversation', () => {
  const agent = new Agent({ name: 'helper', instructions: 'x', model: scripted(['hi']) });

  it('an object input is a ConfigError naming the field', async () => {
    const err = await run(agent, { text: 'hello' } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('agent.helper.input');
    expect((err as Error).message).toMatch(/must be a string or an array of messages, got object/);
  });

  it('a message without a valid role is a ConfigError naming the message', async () => {
    const err = await run(agent, [{ role: 'user', content: 'a' }, { content: 'b' }] as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('agent.helper.input[1].role');
  });

  it('a string and a valid list still run', async () => {
    expect((await run(agent, 'hello')).output.text).toBe('hi');
    expect((await run(agent, [{ role: 'user', content: 'hello' }])).output.text).toBe('hi');
  });
});

describe('zod types without a JSON Schema', () => {
  const cases: [string, z.ZodType][] = [
    ['date', z.date()],
    ['bigint', z.bigint()],
    ['map', z.map(z.string(), z.string())],
    ['set', z.set(z.string())],
    ['symbol', z.symbol()],
    ['nan', z.nan()],
    ['undefined', z.undefined()],
    ['function', z.function() as unknown as z.ZodType],
  ];
  for (const [type, schema] of cases) {
    it(`a ${type} field is a ConfigError at tool() naming its path`, () => {
      const build = () =>
        tool({ name: 'book', description: 'Books a slot.', input: z.object({ slot: z.object({ when: schema }) }), execute: () => 'ok' });
      expect(build).toThrow(ConfigError);
      try {
        build();
      } catch (err) {
        expect((err as ConfigError).field).toBe('tool.book.input.slot.when');
        expect((err as Error).message).toContain(`a ${type} has no JSON form`);
      }
    });
  }

  it('names the place inside arrays and unions too', () => {
    const err = (() => {
      try {
        tool({ name: 't', description: 'd', input: z.object({ rows: z.array(z.union([z.string(), z.date()])) }), execute: () => 1 });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err?.field).toBe('tool.t.input.rows[]<2>');
  });

  it('an Agent output schema with a date is a ConfigError at new Agent()', () => {
    expect(() => new Agent({ name: 'x', instructions: 'x', model: scripted(['{}']), output: z.object({ at: z.date() }) })).toThrow(
      /agent\.x\.output\.at: a date has no JSON form/,
    );
  });

  it('JSON types (with optional, nullable, enums, transforms) still build', () => {
    const t = tool({
      name: 'ok',
      description: 'd',
      input: z.object({ a: z.string().optional(), b: z.number().nullable(), c: z.enum(['x', 'y']), d: z.string().transform(Number) }),
      execute: () => 1,
    });
    expect(t.spec.parameters).toMatchObject({ type: 'object' });
  });
});

describe('nonsensical budget values', () => {
  const noop = step('noop', () => 1);
  for (const [name, value] of [
    ['maxWallMs', 0],
    ['maxWallMs', -5],
    ['maxWallMs', Number.NaN],
    ['maxModelTurns', -1],
    ['maxCostUsd', Number.NaN],
    ['maxToolCalls', '3'],
  ] as const) {
    it(`${name}: ${String(value)} is a ConfigError at run()`, async () => {
      const err = await run(noop, null, { budget: { [name]: value } as never }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe(`budget.${name}`);
    });
  }

  it('a zero cap on tools is a policy, not a mistake', async () => {
    expect((await run(noop, null, { budget: { maxToolCalls: 0 } })).output).toBe(1);
  });
});

describe('a scripted model that runs out of turns', () => {
  const lookup = tool({ name: 'lookup', description: 'Looks up.', input: z.object({}), execute: () => 'found' });

  it('says so with a typed error instead of repeating its last tool call until the turn cap', async () => {
    const model = scripted([{ toolCalls: [{ name: 'lookup', args: {} }] }]);
    const agent = new Agent({ name: 'a', instructions: 'x', model, tools: [lookup], maxTurns: 10 });
    const err = await run(agent, 'go').catch((e: unknown) => e);
    expect(err?.constructor?.name).toBe('ScriptExhausted');
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(/the script has 1 turn and the conversation asked for turn 2/);
    // One tool call ran, not ten.
    expect((err as { trace: { kind: string }[] }).trace.filter((s) => s.kind === 'tool')).toHaveLength(1);
  });

  it('a script that ends with a text answer finishes as before', async () => {
    const model = scripted([{ toolCalls: [{ name: 'lookup', args: {} }] }, 'done']);
    const r = await run(new Agent({ name: 'a', instructions: 'x', model, tools: [lookup] }), 'go');
    expect(r.output.text).toBe('done');
  });
});
