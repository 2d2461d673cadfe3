/**
 * Leases in one process with two stores standing in for two hosts: a live
 * run is refused to a resumer; a holder cut off from the store for longer
 * than its lease is taken over, and then stops with LeaseLost instead of
 * acting a second time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runToolCall } from '../../src/core/run-tool.js';
import { step } from '../../src/core/step.js';
import { tool, type AnyTool } from '../../src/core/tool.js';
import { LeaseLost } from '../../src/durable/errors.js';
import { WorkflowRegistry } from '../../src/durable/registry.js';
import { durableRun, resumeRun } from '../../src/durable/run.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ap-lease-'));
  store = await openStore(join(dir, 'state.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `gate`, then ships the order (irreversible, guarded); every shipment is counted. */
function shipping(shipped: string[], gate: { wait: Promise<void> }) {
  const ship = tool({
    name: 'ship', description: 'Ship an order. Irreversible.', input: z.object({ order: z.string() }), irreversible: true,
    guard: () => true,
    execute: ({ order }, ctx) => {
      shipped.push(`${order} by ${String(ctx.metadata?.host)}`);
      return 'shipped';
    },
  });
  const tools: ReadonlyMap<string, AnyTool> = new Map([['ship', ship]]);
  return step('ship-flow', async (order: string, ctx) => {
    await gate.wait;
    return (await runToolCall(ctx, tools, { id: 'c1', name: 'ship', arguments: JSON.stringify({ order }) })).content;
  });
}

describe('run leases', () => {
  it('a holder cut off from the store past its lease is taken over, then stops with LeaseLost and never acts', async () => {
    const shipped: string[] = [];
    let open!: () => void;
    const gateA = { wait: new Promise<void>((resolve) => (open = resolve)) };
    // Host A's store: its heartbeat can no longer reach the database.
    const cutOff = Object.create(store) as Store;
    cutOff.renewLease = async () => {
      throw new Error('connection refused');
    };
    const a = durableRun('ship-flow', shipping(shipped, gateA), 'A-1', { store: cutOff, runId: 'lease-1', lease: { ttlMs: 150, hostId: 'host-a' }, metadata: { host: 'a' } })
      .then(() => 'completed', (err: unknown) => err);
    await sleep(20);
    // While A's lease is valid, host B is refused.
    const registry = new WorkflowRegistry([{ name: 'ship-flow', step: shipping(shipped, { wait: Promise.resolve() }) }]);
    await expect(resumeRun('lease-1', { store, registry, lease: { hostId: 'host-b' } })).rejects.toMatchObject({ code: 'RUN_IN_PROGRESS', message: expect.stringContaining('host-a/') });

    await sleep(300);
    const b = await resumeRun('lease-1', { store, registry, lease: { hostId: 'host-b' }, metadata: { host: 'b' } });
    expect(b.status).toBe('completed');
    // A's run has stopped (its heartbeat found the lease gone); its step, released now, must not ship.
    expect(await a).toBeInstanceOf(LeaseLost);
    open();
    await sleep(50);
    expect(shipped).toEqual(['A-1 by b']);
    expect(await store.getRun('lease-1')).toMatchObject({ status: 'completed' });
    expect((await store.getRun('lease-1'))!.lease).toBeUndefined();
  });
});

describe('segment endings', () => {
  it('a run that failed and then completed on resume keeps no error from the failed segment', async () => {
    let attempts = 0;
    const flaky = step('flaky', () => {
      if (++attempts === 1) throw new Error('upstream down');
      return 'ok';
    });
    await expect(durableRun('flaky', flaky, 'x', { store, runId: 'flaky-1' })).rejects.toThrow('upstream down');
    expect(await store.getRun('flaky-1')).toMatchObject({ status: 'failed', error: { message: 'upstream down' } });
    expect((await resumeRun('flaky-1', { store, registry: new WorkflowRegistry([{ name: 'flaky', step: flaky }]) })).status).toBe('completed');
    const done = await store.getRun('flaky-1');
    expect(done).toMatchObject({ status: 'completed', output: 'ok' });
    expect(done!.error).toBeUndefined();
  });
});
