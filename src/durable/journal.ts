/**
 * The replay log of a durable run (LangGraph checkpoints / Temporal-style
 * journal). Every completed model call, tool call and step is recorded under
 * a deterministic key right after it completes; a resumed run walks the same
 * code and gets recorded results back instead of executing again.
 *
 * Keys come from the step path (names + occurrence numbers given by runStep,
 * in call order) plus a per-scope sequence number for model and tool calls:
 * "/triage#1|m2" is the second model call of the first "triage" step. Work
 * that runs concurrently must go through runStep (the parallel primitive
 * does), so each branch has its own scope and the keys do not depend on timing.
 *
 * Irreversible tools write a "started" record before `execute` and the
 * outcome after. A started call with no outcome (a crash in between) is not
 * re-run blindly: see reconcile.ts.
 */
import { RunSuspended, isAgentPatternsError } from '../core/errors.js';
import type { Interceptor, ModelInvocation, StepInvocation, ToolInvocation } from '../core/interceptor.js';
import type { ModelResponse } from '../core/model.js';
import { costOfResponse } from '../core/pricing.js';
import type { RunContext } from '../core/context.js';
import { redact } from '../core/redact.js';
import { scrubText } from '../core/secrets.js';
import type { AnyTool, ToolOutcome } from '../core/tool.js';
import { ACTIVE_PATH, type ActivePathSource } from '../hitl/active-path.js';
import { sha256 } from '../hitl/keys.js';
import type { Store } from '../store/types.js';
import { ReplayDivergence } from './errors.js';
import { reconcileStartedCall, type Reconciler, type StartedCall } from './reconcile.js';
import { withCallKey } from '../hitl/call-key.js';

export type JournalEntry =
  | { k: 'model'; response: ModelResponse; costUsd: number; h: string }
  | { k: 'tool'; outcome: ToolOutcome }
  | ({ k: 'started' } & StartedCall)
  | { k: 'step'; output?: unknown };

/** What every scope of one run shares: the records, the store, what to do after each write. */
export interface JournalState {
  runId: string;
  store: Store;
  records: Map<string, JournalEntry>;
  reconcilers: Readonly<Record<string, Reconciler>>;
  /** Called after each record is written (flushes the trace to the store). */
  afterRecord?: () => Promise<void>;
  /** Called right before an irreversible call's side effect (throws when this process may no longer act for the run). */
  beforeEffect?: () => Promise<void>;
}

/**
 * The journal is an interceptor, one instance per step scope: the run starts
 * with the root scope among its interceptors, and each step's scope takes its
 * parent's place in the interceptors of the step's context, so the calls
 * beneath a step are keyed under the step's path.
 */
export class DurableJournal implements Interceptor, ActivePathSource {
  readonly name = 'durable-journal';
  private modelSeq = 0;
  private toolSeq = 0;
  private readonly children = new Map<string, number>();

  constructor(
    readonly state: JournalState,
    readonly path: string = '',
  ) {}

  /** What the approval gate records as the active step (src/hitl/active-path.ts). */
  get [ACTIVE_PATH](): string {
    return this.path;
  }

  /** The scope of the next child step named `name` (numbered by occurrence, in call order). */
  child(name: string): DurableJournal {
    const n = (this.children.get(name) ?? 0) + 1;
    this.children.set(name, n);
    return new DurableJournal(this.state, `${this.path}/${name}#${n}`);
  }

  async model(call: ModelInvocation, next: (call: ModelInvocation) => Promise<ModelResponse>): Promise<ModelResponse> {
    const key = `${this.path}|m${++this.modelSeq}`;
    // Hashed as stored: a resumed run's conversation holds the redacted values the checkpoints kept.
    const h = sha256(scrubText(JSON.stringify(call.request.messages)));
    const hit = this.state.records.get(key);
    if (hit) {
      if (hit.k !== 'model') throw new ReplayDivergence(key, `recorded a ${hit.k}, the code now calls a model`);
      if (hit.h !== h) throw new ReplayDivergence(key, 'the model request differs from the recorded one (workflow, prompt or input changed)');
      return hit.response;
    }
    const response = await next(call);
    await this.record(key, { k: 'model', response, costUsd: costOfResponse(call.model, response), h });
    return response;
  }

  async tool(invocation: ToolInvocation, next: (call: ToolInvocation) => Promise<ToolOutcome>): Promise<ToolOutcome> {
    const { ctx, call, tools } = invocation;
    const key = `${this.path}|t${++this.toolSeq}`;
    const hit = this.state.records.get(key);
    if (hit) {
      if (hit.k !== 'tool' || hit.outcome.tool !== call.name) {
        throw new ReplayDivergence(key, `recorded ${hit.k === 'tool' ? `tool ${hit.outcome.tool}` : `a ${hit.k}`}, the code now calls tool ${call.name}`);
      }
      return hit.outcome;
    }
    const tool = tools.get(call.name);
    // A gated call carries its key, so its approval is tied to this very call (call-key.ts).
    let live = tool?.approval || tool?.irreversible ? { ...invocation, ctx: withCallKey(ctx, key) } : invocation;
    if (tool?.irreversible) {
      const started = this.state.records.get(`${key}|started`);
      if (started?.k === 'started') {
        const settled = await reconcileStartedCall(live.ctx, tool, started, this.state.reconcilers[tool.name]);
        if (settled) {
          await this.record(key, { k: 'tool', outcome: settled });
          return settled;
        }
      }
      live = { ...live, tools: this.withStartMarker(tools, tool, key) };
    }
    try {
      const outcome = await next(live);
      await this.record(key, { k: 'tool', outcome });
      return outcome;
    } catch (err) {
      // A call held for approval did not happen: it is charged again when it really runs.
      if (isAgentPatternsError(err, RunSuspended)) ctx.budget.toolCalls--;
      throw err;
    }
  }

  async step(call: StepInvocation, next: (call: StepInvocation) => Promise<unknown>): Promise<unknown> {
    // The run's root step: its calls are keyed at the top of the journal.
    if (call.parentSpanId === undefined) return next(call);
    const scope = this.child(call.step.name);
    const key = `${scope.path}|out`;
    const hit = this.state.records.get(key);
    if (hit) {
      if (hit.k !== 'step') throw new ReplayDivergence(key, `recorded a ${hit.k}, the code now runs step ${call.step.name}`);
      return hit.output;
    }
    const interceptors = call.ctx.interceptors.map((i) => (i === this ? scope : i));
    const out = await next({ ...call, ctx: call.ctx.with({ interceptors }) });
    // Only plain JSON survives a restart unchanged; other outputs are rebuilt from their children's records.
    if (isJsonData(out)) await this.record(key, out === undefined ? { k: 'step' } : { k: 'step', output: out });
    return out;
  }

  private withStartMarker(tools: ReadonlyMap<string, AnyTool>, tool: AnyTool, key: string): ReadonlyMap<string, AnyTool> {
    const marked = new Map(tools);
    marked.set(tool.name, {
      ...tool,
      execute: async (input: unknown, c: RunContext, info: { id: string; name: string }) => {
        const idempotencyKey = tool.idempotencyKey?.(input, info);
        if (this.state.beforeEffect) await this.state.beforeEffect();
        await this.record(`${key}|started`, {
          k: 'started', tool: tool.name, callId: info.id, args: input, at: Date.now(), ...(idempotencyKey ? { idempotencyKey } : {}),
        });
        return tool.execute(input, c, info);
      },
    });
    return marked;
  }

  private async record(key: string, entry: JournalEntry): Promise<void> {
    this.state.records.set(key, entry);
    // Checkpoints keep no secret, by name or by value. Replay needs the kinds, tool names and the request
    // hash (computed over the redacted conversation, see callModel), none of which a redaction changes.
    await this.state.store.putCheckpoint(this.state.runId, key, redact(entry, 0, CHECKPOINT_DEPTH));
    if (this.state.afterRecord) await this.state.afterRecord();
  }
}

/** How deep checkpoint values are walked for secret-named keys (the store scrubs secret values at any depth). */
const CHECKPOINT_DEPTH = 64;

/** Plain JSON data (what a checkpoint can hold without changing it): no class instances, functions, NaN. */
export function isJsonData(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || value === undefined) return true;
  const t = typeof value;
  if (t === 'string' || t === 'boolean') return true;
  if (t === 'number') return Number.isFinite(value);
  if (t !== 'object') return false;
  if (Array.isArray(value)) return value.every((v) => v !== undefined && isJsonData(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const v of Object.values(value as Record<string, unknown>)) if (!isJsonData(v, depth + 1)) return false;
  return true;
}

/** Budget consumed by the recorded operations (a resumed run starts from it). */
export function usageOfRecords(records: ReadonlyMap<string, JournalEntry>): { modelTurns: number; toolCalls: number; inputTokens: number; outputTokens: number; costUsd: number } {
  const u = { modelTurns: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (const e of records.values()) {
    if (e.k === 'model') {
      u.modelTurns++;
      u.inputTokens += e.response.usage.inputTokens;
      u.outputTokens += e.response.usage.outputTokens;
      u.costUsd += e.costUsd;
    } else if (e.k === 'tool') u.toolCalls++;
  }
  return u;
}
