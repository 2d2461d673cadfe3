/**
 * Interceptors: the one seam around model, tool and step calls. Order, what
 * a call object tells (context, span ids, step path), rewriting a call,
 * answering it without the core (neither charged nor traced), streaming a
 * model call, per-agent interceptors, and the root step.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, ModelError, RunFailed, parallel, run, runStep, step, tool, type Interceptor, type Model, type ModelResponse, type StepInvocation, type StreamEvent } from 'agent-patterns';
import { scripted, toolResults } from 'agent-patterns/testing';

const add = tool({
  name: 'add',
  description: 'Adds two numbers.',
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

/** One tool call, then an answer naming the tool results and the last user text. */
function adder(name = 'adder', interceptors?: Interceptor[]) {
  const model = scripted((req) => {
    const results = toolResults(req);
    if (results.length === 0) return { toolCalls: [{ name: 'add', args: { a: 1, b: 2 } }] };
    const user = req.messages.filter((m) => m.role === 'user').at(-1)?.content;
    return `sum ${results[0]!.content} for ${user}`;
  });
  return new Agent({ name, instructions: 'Add.', model, tools: [add], ...(interceptors ? { interceptors } : {}) });
}

/** Records "name>kind" on the way in and "name<kind" on the way out. */
function recorder(name: string, log: string[]): Interceptor {
  return {
    name,
    async model(call, next) {
      log.push(`${name}>model`);
      const r = await next(call);
      log.push(`${name}<model`);
      return r;
    },
    async tool(call, next) {
      log.push(`${name}>tool`);
      const r = await next(call);
      log.push(`${name}<tool`);
      return r;
    },
    async step(call, next) {
      log.push(`${name}>step:${call.step.name}`);
      const r = await next(call);
      log.push(`${name}<step:${call.step.name}`);
      return r;
    },
  };
}

describe('interceptors', () => {
  it('compose in order, the first given outermost, around model, tool and root step calls', async () => {
    const log: string[] = [];
    const res = await run(adder(), 'hi', { interceptors: [recorder('a', log), recorder('b', log)] });
    expect(res.output.text).toBe('sum 3 for hi');
    expect(log).toEqual([
      'a>step:adder', 'b>step:adder',
      'a>model', 'b>model', 'b<model', 'a<model',
      'a>tool', 'b>tool', 'b<tool', 'a<tool',
      'a>model', 'b>model', 'b<model', 'a<model',
      'b<step:adder', 'a<step:adder',
    ]);
  });

  it('tell each call its context, its own span id, the span it runs under and its step path; the trace agrees', async () => {
    const seen: { kind: string; name: string; spanId: string; parentSpanId: string | undefined; path: string; ctxSpan: string | undefined }[] = [];
    const spy: Interceptor = {
      model: (call, next) => {
        seen.push({ kind: 'model', name: call.name, spanId: call.spanId, parentSpanId: call.parentSpanId, path: call.path, ctxSpan: call.ctx.spanId });
        return next(call);
      },
      tool: (call, next) => {
        seen.push({ kind: 'tool', name: call.call.name, spanId: call.spanId, parentSpanId: call.parentSpanId, path: call.path, ctxSpan: call.ctx.spanId });
        return next(call);
      },
      step: (call, next) => {
        seen.push({ kind: 'step', name: call.step.name, spanId: call.spanId, parentSpanId: call.parentSpanId, path: call.path, ctxSpan: call.ctx.spanId });
        return next(call);
      },
    };
    const flow = step('triage', async (input: string, ctx) => {
      const both = await runStep(ctx, parallel({ logs: adder('logs'), metrics: step('metrics', async () => 'ok') }), input);
      return `${both.logs.text} / ${both.metrics}`;
    });
    const res = await run(flow, 'x', { interceptors: [spy] });
    expect(res.output).toBe('sum 3 for x / ok');

    const byId = new Map(res.trace.map((s) => [s.spanId, s]));
    for (const call of seen) {
      const span = byId.get(call.spanId)!;
      expect(span, `${call.kind} ${call.name} has its span`).toBeDefined();
      expect(span.parentId).toBe(call.parentSpanId);
      // A call's context hangs under the span it runs under (the root's under its own: the run span).
      expect(call.ctxSpan).toBe(call.parentSpanId ?? call.spanId);
    }
    const root = seen.find((c) => c.kind === 'step' && c.name === 'triage')!;
    expect(root.parentSpanId).toBeUndefined();
    expect(byId.get(root.spanId)!.kind).toBe('run');
    expect(seen.find((c) => c.name === 'parallel')!.path).toBe('triage/parallel');
    expect(seen.find((c) => c.name === 'logs')!.path).toBe('triage/parallel/logs');
    expect(seen.filter((c) => c.kind === 'model').map((c) => c.path)).toEqual(['triage/parallel/logs', 'triage/parallel/logs']);
    expect(seen.find((c) => c.kind === 'tool')!.path).toBe('triage/parallel/logs');
  });

  it('may rewrite every model request before it is sent (a context policy)', async () => {
    const sent: string[][] = [];
    const model = scripted((req) => {
      sent.push(req.messages.map((m) => m.role));
      return toolResults(req).length ? 'done' : { toolCalls: [{ name: 'add', args: { a: 1, b: 1 } }] };
    });
    const agent = new Agent({ name: 'a', instructions: 'sys', model, tools: [add] });
    const lastTwo: Interceptor = {
      model: (call, next) => {
        const [system, ...rest] = call.request.messages;
        return next({ ...call, request: { ...call.request, messages: [system!, ...rest.slice(-2)] } });
      },
    };
    const res = await run(agent, 'hi', { interceptors: [lastTwo] });
    expect(sent).toEqual([['system', 'user'], ['system', 'assistant', 'tool']]);
    // The agent's own conversation keeps everything.
    expect(res.output.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
  });

  it('answering without next: the call is neither charged nor traced (a cache)', async () => {
    let calls = 0;
    const model = scripted(() => {
      calls++;
      return 'fresh';
    });
    const agent = new Agent({ name: 'cached', instructions: 'x', model });
    const cache = new Map<string, ModelResponse>();
    const responseCache: Interceptor = {
      async model(call, next) {
        const key = JSON.stringify(call.request.messages);
        const hit = cache.get(key);
        if (hit) return hit;
        const response = await next(call);
        cache.set(key, response);
        return response;
      },
    };
    const first = await run(agent, 'q', { interceptors: [responseCache] });
    const second = await run(agent, 'q', { interceptors: [responseCache] });
    expect(calls).toBe(1);
    expect(second.output.text).toBe('fresh');
    expect(first.usage.modelTurns).toBe(1);
    expect(second.usage.modelTurns).toBe(0);
    expect(second.trace.filter((s) => s.kind === 'model')).toHaveLength(0);
  });

  it('a model call made to stream hands every event over and still returns the assembled response', async () => {
    const streaming: Model = {
      provider: 'test-stream',
      modelId: 'ts-1',
      generate: () => Promise.reject(new Error('generate must not be called')),
      async *stream() {
        yield { type: 'text-delta', delta: 'he' };
        yield { type: 'text-delta', delta: 'llo' };
        yield { type: 'finish', response: { text: 'hello', toolCalls: [], usage: { inputTokens: 3, outputTokens: 2 }, finishReason: 'stop' } };
      },
    };
    const events: StreamEvent[] = [];
    const live: Interceptor = { model: (call, next) => next({ ...call, onStreamEvent: (e) => void events.push(e) }) };
    const res = await run(new Agent({ name: 's', instructions: 'x', model: streaming }), 'q', { interceptors: [live] });
    expect(res.output.text).toBe('hello');
    expect(events.map((e) => e.type)).toEqual(['text-delta', 'text-delta', 'finish']);
    expect(res.usage).toMatchObject({ modelTurns: 1, inputTokens: 3, outputTokens: 2 });
    expect(res.trace.find((s) => s.kind === 'model')!.attributes).toMatchObject({ provider: 'test-stream', finishReason: 'stop' });

    const cut: Model = { ...streaming, async *stream() { yield { type: 'text-delta', delta: 'he' }; } };
    const err = await run(new Agent({ name: 's', instructions: 'x', model: cut }), 'q', { interceptors: [live] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(/without a finish event/);
  });

  it('may call next again with another model (a fallback)', async () => {
    const down = scripted([{ error: { status: 500, message: 'down' } }]);
    const up = scripted(['from the backup']);
    const fallback: Interceptor = {
      async model(call, next) {
        try {
          return await next(call);
        } catch {
          return next({ ...call, model: up });
        }
      },
    };
    const res = await run(new Agent({ name: 'f', instructions: 'x', model: down }), 'q', { interceptors: [fallback] });
    expect(res.output.text).toBe('from the backup');
    expect(res.trace.filter((s) => s.kind === 'model').map((s) => s.status)).toEqual(['error', 'ok']);
  });

  it("an agent's interceptors wrap its own calls, inside the run's, and not its siblings'", async () => {
    const log: string[] = [];
    const inner = adder('inner', [recorder('agent', log)]);
    const other = adder('other');
    const flow = step('flow', async (input: string, ctx) => {
      await runStep(ctx, inner, input);
      await runStep(ctx, other, input);
      return 'ok';
    });
    await run(flow, 'x', { interceptors: [recorder('run', log)] });
    const innerPart = log.slice(log.indexOf('run>step:inner') + 1, log.indexOf('run<step:inner'));
    expect(innerPart).toEqual([
      'run>model', 'agent>model', 'agent<model', 'run<model',
      'run>tool', 'agent>tool', 'agent<tool', 'run<tool',
      'run>model', 'agent>model', 'agent<model', 'run<model',
    ]);
    const otherPart = log.slice(log.indexOf('run>step:other') + 1, log.indexOf('run<step:other'));
    expect(otherPart.some((l) => l.startsWith('agent'))).toBe(false);
    expect(otherPart).toHaveLength(6);
  });

  it('around the root step: may change the input and see the output (a session loads and saves history)', async () => {
    const saved: unknown[] = [];
    const session: Interceptor = {
      async step(call: StepInvocation, next) {
        if (call.parentSpanId !== undefined) return next(call);
        const out = await next({ ...call, input: `${String(call.input)} (with history)` });
        saved.push(out);
        return out;
      },
    };
    const res = await run(step('echo', async (input: string) => input.toUpperCase()), 'hello', { interceptors: [session] });
    expect(res.output).toBe('HELLO (WITH HISTORY)');
    expect(saved).toEqual(['HELLO (WITH HISTORY)']);
  });

  it('an interceptor that throws, even synchronously, fails the run with its error', async () => {
    const broken: Interceptor = {
      model: () => {
        throw new Error('interceptor broke');
      },
    };
    const err = await run(adder(), 'x', { interceptors: [broken] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunFailed);
    expect(((err as RunFailed).cause as Error).message).toBe('interceptor broke');
  });
});

describe('the README interceptor snippet', () => {
  it('caches a model response: the second run is served without a model turn', async () => {
    const { main } = await import('../../docs/snippets/interceptors.js');
    expect(await main()).toEqual({ first: 1, second: 0 });
  });
});
