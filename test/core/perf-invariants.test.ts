/**
 * The hot-path shortcuts of issue 8 keep behaviour: the run's AbortSignal is
 * made lazily but fires the same, onAbort subscriptions work with and without
 * a signal, derived contexts carry every field, run ids are UUID v4.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Agent, BudgetExceeded, RunAborted, RunContext, run } from 'agent-patterns';
import { scripted } from 'agent-patterns/testing';
import { CancelScope } from '../../src/core/cancel-scope.js';
import { newRunId } from '../../src/core/run-id.js';

describe('lazy run cancellation', () => {
  it('a signal made after the abort is already aborted, with the reason', () => {
    const abort = new CancelScope();
    const reason = new Error('stop');
    abort.abort(reason);
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe(reason);
  });

  it('a signal made before the abort fires, and subscribers hear it once', () => {
    const abort = new CancelScope();
    const signal = abort.signal;
    const heard: unknown[] = [];
    abort.subscribe((r) => heard.push(r));
    const off = abort.subscribe(() => heard.push('removed'));
    off();
    abort.abort('why');
    abort.abort('again');
    expect(signal.aborted).toBe(true);
    expect(heard).toEqual(['why']);
    // Subscribing after the fact is told at once.
    abort.subscribe((r) => heard.push(r));
    expect(heard).toEqual(['why', 'why']);
  });

  it('a branch scope is cancelled alone or with its run, and a detached one no longer follows', () => {
    const ctx = new RunContext({});
    const heard: string[] = [];
    ctx.onAbort(() => heard.push('run'));
    const scope = ctx.cancel.child();
    const branch = ctx.with({ cancel: scope });
    const off = branch.onAbort(() => heard.push('branch'));
    scope.abort(new RunAborted('alone'));
    expect(branch.aborted).toBe(true);
    expect(branch.signal.aborted).toBe(true);
    expect(ctx.aborted).toBe(false);
    off();
    expect(heard).toEqual(['branch']);
    expect(() => branch.throwIfAborted()).toThrow(RunAborted);

    const second = ctx.with({ cancel: ctx.cancel.child() });
    const third = ctx.with({ cancel: ctx.cancel.child() });
    third.cancel.detach();
    ctx.cancel.child().detach();
    ctx.cancel.abort('run stop');
    expect(second.aborted).toBe(true);
    expect(second.abortReason).toBe('run stop');
    expect(third.aborted).toBe(false);
    expect(heard).toEqual(['branch', 'run']);
  });

  it('follows a caller signal until detached, without making a signal of its own', () => {
    const caller = new AbortController();
    const followed = new CancelScope().follow(caller.signal);
    const detached = new CancelScope().follow(caller.signal);
    detached.detach();
    caller.abort('caller stop');
    expect(followed.aborted).toBe(true);
    expect(followed.reason).toBe('caller stop');
    expect(detached.aborted).toBe(false);
    expect(new CancelScope().follow(caller.signal).reason).toBe('caller stop');
  });

  it('the wall-time cap still cancels a model call in flight', async () => {
    const slow = scripted(() => ({ text: 'late', delayMs: 5_000 }));
    const agent = new Agent({ name: 'slow', instructions: 'x', model: slow });
    const err = await run(agent, 'x', { budget: { maxWallMs: 30 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BudgetExceeded);
    expect((err as BudgetExceeded).limit).toBe('maxWallMs');
  });
});

describe('scripted delays', () => {
  const request = { messages: [{ role: 'user' as const, content: 'hi' }] };
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answer when the delay is over, and a scripted error fails then too', async () => {
    let settled: unknown;
    void scripted(['late'], { delayMs: 30 }).generate(request).then((r) => (settled = r.text));
    await vi.advanceTimersByTimeAsync(29);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe('late');

    const failing = scripted([{ error: { status: 503, message: 'overloaded' }, delayMs: 20 }]).generate(request);
    let failed = false;
    void failing.catch(() => (failed = true));
    await vi.advanceTimersByTimeAsync(19);
    expect(failed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(failing).rejects.toThrow(/overloaded/);
  });

  it('stop on cancellation, without the delay passing, through the signal', async () => {
    const slow = scripted(['never'], { delayMs: 5_000 });
    const ac = new AbortController();
    const bySignal = slow.generate(request, { signal: ac.signal });
    ac.abort(new Error('stop by signal'));
    await expect(bySignal).rejects.toThrow('stop by signal');
    await expect(slow.generate(request, { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');

    const scope = new CancelScope();
    const byScope = slow.generate(request, { signal: scope.signal });
    scope.abort(new Error('stop by scope'));
    await expect(byScope).rejects.toThrow('stop by scope');
    // No timer is left behind by a cancelled delay.
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('derived contexts', () => {
  it('carry every field of the parent, change only what they are given, and share budget and tracer', () => {
    const approvals = { authorize: async () => ({ approved: true }) };
    const ctx = new RunContext({ metadata: { tenant: 't1' }, approvals });
    const child = ctx.with({ spanId: '7', path: 'root/child' });
    expect(child).toBeInstanceOf(RunContext);
    expect(child.spanId).toBe('7');
    expect(child.path).toBe('root/child');
    expect(ctx.spanId).toBeUndefined();
    expect(child.runId).toBe(ctx.runId);
    expect(child.requestId).toBe(ctx.requestId);
    expect(child.budget).toBe(ctx.budget);
    expect(child.tracer).toBe(ctx.tracer);
    expect(child.approvals).toBe(approvals);
    expect(child.metadata).toEqual({ tenant: 't1' });
    expect(child.cancel).toBe(ctx.cancel);
    expect(child.signal).toBe(ctx.signal);

    const grandchild = child.with({ approval: { recommendation: 'approve' } });
    expect(grandchild.spanId).toBe('7');
    expect(grandchild.path).toBe('root/child');
    expect(grandchild.approval).toEqual({ recommendation: 'approve' });
    expect(child.approval).toBeUndefined();
  });
});

describe('run ids', () => {
  it('are distinct UUID v4 strings', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = newRunId();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(2000);
  });
});
