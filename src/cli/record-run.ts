/**
 * A non-durable example run recorded in a store: its trace as it goes (a
 * StoreTraceSink) and its run record at the end, completed or failed — so
 * `runs show` and the studio find every run the CLI made with a store.
 */
import { AgentPatternsError } from '../core/errors.js';
import { StoreTraceSink } from '../store/trace-sink.js';
import type { Store } from '../store/types.js';
import type { ExampleOutcome, ExampleRunOptions, VendExample } from '../../examples/vend/types.js';

export async function runRecorded(example: VendExample, input: string, options: ExampleRunOptions, store: Store): Promise<ExampleOutcome> {
  const sink = new StoreTraceSink(store);
  const createdAt = Date.now();
  try {
    const out = await example.run(input, { ...options, sinks: [...(options.sinks ?? []), sink] });
    await store.putRun({
      runId: out.result.runId, workflow: example.name, input, status: 'completed', output: out.answer,
      state: { usage: out.result.usage }, createdAt, updatedAt: Date.now(),
    });
    return out;
  } catch (err) {
    const e = err as Error & { runId?: string; usage?: unknown };
    if (e?.runId) {
      await sink.flush().catch(() => undefined);
      await store.putRun({
        runId: e.runId, workflow: example.name, input, status: 'failed', state: e.usage ? { usage: e.usage } : {},
        error: { ...(err instanceof AgentPatternsError ? { code: err.code } : {}), message: e.message }, createdAt, updatedAt: Date.now(),
      });
    }
    throw err;
  }
}
