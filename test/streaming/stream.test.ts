import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Model, ModelRequest, StreamEvent } from '../../src/core/model.js';
import { step } from '../../src/core/step.js';
import { tool } from '../../src/core/tool.js';
import { stream } from '../../src/core/streaming/stream.js';
import type { RunEvent } from '../../src/core/streaming/events.js';
import { scripted, scriptedByRules } from '../../src/models/scripted.js';
import { Agent } from '../../src/patterns/agent.js';
import { parallel } from '../../src/patterns/parallel.js';
import { sequence } from '../../src/patterns/sequence.js';
import { route } from '../../src/patterns/route.js';
import { prompt } from '../../src/patterns/prompt.js';

async function collect(s: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of s) out.push(e);
  return out;
}

function texts(events: RunEvent[]): Map<string, string> {
  const by = new Map<string, string>();
  for (const e of events) if (e.type === 'text-delta') by.set(e.path, (by.get(e.path) ?? '') + e.delta);
  return by;
}

describe('stream()', () => {
  it('a sequence of a parallel of agents: every token and step in order, labelled by path and span', async () => {
    // The summary's input holds the branches' conversations, so its rule comes first.
    const model = scriptedByRules([
      { match: 'You summarise.', reply: 'Roll back the 14:00 deploy.' },
      { match: 'You watch logs.', reply: 'Logs show a spike of 502s after the deploy.' },
      { match: 'You watch metrics.', reply: 'p99 latency tripled at 14:02.' },
    ]);
    const logs = new Agent({ name: 'logs', instructions: 'You watch logs.', model });
    const metrics = new Agent({ name: 'metrics', instructions: 'You watch metrics.', model });
    const summary = prompt<unknown, string>({ name: 'summary', model, instructions: 'You summarise.' });
    const triage = sequence(parallel({ logs, metrics }, { name: 'investigate' }), summary).named('triage');
    const s = stream(triage, 'site is slow');
    const events = await collect(s);
    const result = await s.result;

    expect(events[0]).toMatchObject({ type: 'run-start', step: 'triage', path: 'triage', parentSpanId: undefined });
    expect(events.at(-1)).toMatchObject({ type: 'run-end', status: 'completed', usage: { modelTurns: 3 } });
    expect(new Set(events.map((e) => e.runId))).toEqual(new Set([result.runId]));
    // Each agent's tokens, joined, are its answer; the path says which branch spoke.
    const byPath = texts(events);
    expect(byPath.get('triage/investigate/logs')).toBe('Logs show a spike of 502s after the deploy.');
    expect(byPath.get('triage/investigate/metrics')).toBe('p99 latency tripled at 14:02.');
    expect(byPath.get('triage/summary')).toBe('Roll back the 14:00 deploy.');
    expect(events.filter((e) => e.type === 'text-delta' && e.path.endsWith('logs')).length).toBeGreaterThan(5);
    // Steps open and close around what they contain; a model call's tokens follow its start and precede its usage.
    const order = events.map((e) => (e.type === 'step-start' || e.type === 'step-end' ? `${e.type}:${e.step}` : e.type));
    expect(order.indexOf('step-start:investigate')).toBeLessThan(order.indexOf('step-start:logs'));
    expect(order.lastIndexOf('step-end:logs')).toBeLessThan(order.indexOf('step-end:investigate'));
    expect(order.indexOf('step-end:investigate')).toBeLessThan(order.indexOf('step-start:summary'));
    for (const e of events.filter((x) => x.type === 'text-delta')) {
      const start = events.findIndex((x) => x.type === 'model-start' && x.spanId === e.spanId);
      const usage = events.findIndex((x) => x.type === 'usage' && x.spanId === e.spanId);
      expect(start).toBeGreaterThanOrEqual(0);
      expect(events.indexOf(e)).toBeGreaterThan(start);
      expect(events.indexOf(e)).toBeLessThan(usage);
    }
    // Span ids nest: a model call's parent is its agent's step span.
    const logsStep = events.find((e) => e.type === 'step-start' && e.step === 'logs')!;
    expect(events.find((e) => e.type === 'model-start' && e.path === 'triage/investigate/logs')!.parentSpanId).toBe(logsStep.spanId);
    // The result is run()'s.
    expect(result.output).toBe('Roll back the 14:00 deploy.');
    expect(result.trace.filter((t) => t.kind === 'model')).toHaveLength(3);
  });

  it('tool calls with their arguments and results, usage against the budget, and routing decisions', async () => {
    const lookup = tool({ name: 'lookup', description: 'Look up.', input: z.object({ id: z.string() }), execute: ({ id }) => ({ id, status: 'shipped' }) });
    const model = scriptedByRules([
      { match: 'Route', reply: { object: { specialist: 'orders', reason: 'an order question', confidence: 0.9 } } },
      { match: 'You find orders.', reply: [{ toolCalls: [{ name: 'lookup', args: { id: '1042' } }] }, 'Order 1042 has shipped.'] },
    ]);
    const orders = new Agent({ name: 'orders', instructions: 'You find orders.', model, tools: [lookup] });
    const desk = route({ model, instructions: 'Route it.' }, { orders }, { fallback: 'orders', name: 'desk' });
    const s = stream(desk, 'where is 1042?', { budget: { maxModelTurns: 10 } });
    const events = await collect(s);
    const call = events.find((e) => e.type === 'tool-call')!;
    expect(call).toMatchObject({ tool: 'lookup', args: { id: '1042' }, path: 'desk/orders' });
    expect(events.find((e) => e.type === 'tool-result')).toMatchObject({ tool: 'lookup', ok: true, result: { id: '1042', status: 'shipped' }, toolCallId: (call as { toolCallId: string }).toolCallId });
    expect(events.find((e) => e.type === 'decision' && e.name === 'route')).toMatchObject({ details: { specialist: 'orders' }, path: 'desk' });
    const usages = events.filter((e) => e.type === 'usage');
    expect(usages.map((u) => (u as { usage: { modelTurns: number } }).usage.modelTurns)).toEqual([1, 2, 3]);
    expect(usages[0]).toMatchObject({ limits: { maxModelTurns: 10 } });
    expect((await s.result).output.output.text).toBe('Order 1042 has shipped.');
  });

  it('an agent with an output schema streams its object as it grows; the final object is validated as today', async () => {
    const answer = { verdict: 'approve', reasons: ['in window', 'damage reported', 'no fraud flag'], amount: 420.5 };
    const judge = prompt<string, typeof answer>({
      name: 'judge', instructions: 'Judge.', model: scripted([{ object: answer }]),
      output: z.object({ verdict: z.enum(['approve', 'deny']), reasons: z.array(z.string()), amount: z.number() }),
    });
    const s = stream(judge, 'refund?');
    const objects = (await collect(s)).filter((e) => e.type === 'object-delta').map((e) => (e as { object: unknown }).object);
    expect(objects.length).toBeGreaterThan(3);
    expect(objects.at(-1)).toEqual(answer);
    // It grows: an early object is a prefix of the final one.
    expect(objects.some((o) => JSON.stringify(o) !== JSON.stringify(answer) && typeof o === 'object')).toBe(true);
    expect((await s.result).output).toEqual(answer);
  });

  it('a failed run ends with an error event and run-end "failed"; result rejects with the run\'s error', async () => {
    const broken = step('broken', () => {
      throw new Error('boom');
    });
    const s = stream(sequence(broken).named('outer'), 'x');
    const events = await collect(s);
    expect(events.map((e) => e.type)).toEqual(['run-start', 'step-start', 'step-end', 'error', 'run-end']);
    expect(events[2]).toMatchObject({ status: 'error', error: { message: 'boom' } });
    expect(events.at(-1)).toMatchObject({ status: 'failed' });
    await expect(s.result).rejects.toThrow(/boom/);
  });

  it('cancel() aborts the model call and running tools; result rejects with RunAborted', async () => {
    let toolSignal: AbortSignal | undefined;
    const slow = tool({
      name: 'slow', description: 'Slow.', input: z.object({}),
      execute: (_i, ctx) => new Promise((_, reject) => {
        toolSignal = ctx.signal;
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      }),
    });
    const agent = new Agent({ name: 'a', instructions: 'x', model: scripted([{ toolCalls: [{ name: 'slow', args: {} }] }, 'never']), tools: [slow] });
    const s = stream(agent, 'go');
    const seen: string[] = [];
    for await (const e of s) {
      seen.push(e.type);
      if (e.type === 'tool-call') s.cancel('user pressed stop');
    }
    await expect(s.result).rejects.toMatchObject({ code: 'RUN_ABORTED' });
    expect(toolSignal?.aborted).toBe(true);
    expect(seen.at(-1)).toBe('run-end');
  });

  it('backpressure: a slow reader holds the model stream back (bounded buffer), and breaking out cancels the run', async () => {
    let produced = 0;
    let aborted = false;
    const many: Model = {
      provider: 'test', modelId: 'many',
      generate: () => Promise.reject(new Error('stream only')),
      async *stream(_req: ModelRequest, options): AsyncIterable<StreamEvent> {
        options?.signal?.addEventListener('abort', () => (aborted = true));
        for (let i = 0; i < 10_000; i++) {
          produced++;
          yield { type: 'text-delta', delta: 'tok ' };
        }
        yield { type: 'finish', response: { text: 'tok '.repeat(10_000), toolCalls: [], usage: { inputTokens: 1, outputTokens: 10_000 }, finishReason: 'stop' } };
      },
    };
    const s = stream(new Agent({ name: 'talker', instructions: 'x', model: many }), 'go', { highWater: 32 });
    let consumed = 0;
    let maxAhead = 0;
    for await (const e of s) {
      if (e.type !== 'text-delta') continue;
      consumed++;
      maxAhead = Math.max(maxAhead, produced - consumed);
      // A slow reader: it yields to the event loop after every event.
      await new Promise((r) => setImmediate(r));
      if (consumed === 500) break;
    }
    // The provider was never more than the buffer (and a pulled event or two) ahead of the reader.
    expect(maxAhead).toBeLessThanOrEqual(34);
    expect(produced).toBeLessThan(600);
    await expect(s.result).rejects.toMatchObject({ code: 'RUN_ABORTED' });
    expect(aborted).toBe(true);
  });

  it('a run that is not streamed makes no stream call (generate only)', async () => {
    let streams = 0;
    let generates = 0;
    const base = scripted(['plain answer']);
    const counting: Model = {
      provider: 'scripted', modelId: 'counting',
      generate: (r, o) => (generates++, base.generate(r, o)),
      stream: (r, o) => (streams++, base.stream(r, o)),
    };
    const { run } = await import('../../src/core/run.js');
    await run(new Agent({ name: 'a', instructions: 'x', model: counting }), 'q');
    expect([generates, streams]).toEqual([1, 0]);
    await collect(stream(new Agent({ name: 'a', instructions: 'x', model: counting }), 'q'));
    expect([generates, streams]).toEqual([1, 1]);
  });
});
