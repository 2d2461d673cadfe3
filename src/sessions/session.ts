/**
 * A session: one conversation kept in the store across runs, scoped by its
 * owner. As an interceptor over a run whose root step is an Agent it
 *  - claims the session in the store before the agent starts (an atomic
 *    version check: a second run on the same session waits or fails with
 *    SessionBusy, whichever host it runs on),
 *  - puts the stored history before the run's input,
 *  - appends each turn as it completes — the messages new since the last
 *    save, before each model call and after the last — so a crash loses at
 *    most the turn in flight, and a tool call is never saved without its result,
 *  - keeps the summary a `summarize` policy made, for the next runs,
 *  - releases the session when the run ends.
 */
import { ConfigError } from '../core/errors.js';
import type { Interceptor, ModelInvocation, StepInvocation } from '../core/interceptor.js';
import type { Message } from '../core/messages.js';
import type { ModelResponse } from '../core/model.js';
import type { RunStore } from '../core/store.js';
import { Agent, type AgentInput, type AgentResult } from '../patterns/agent.js';
import type { SessionLease, Store } from '../store/types.js';
import { SessionBusy } from './errors.js';
import type { Summary, SummaryMemo } from './policy.js';

/** The part of the store a session uses. */
export type SessionStore = Pick<Store, 'claimSession' | 'appendSession' | 'releaseSession' | 'sessionMessages'>;

export interface SessionSettings {
  store: RunStore | undefined;
  sessionId: string;
  owner: string | undefined;
  /** 'fail' (default): SessionBusy at once; `{ waitMs }`: wait up to that long for the other run to finish. */
  busy?: 'fail' | { waitMs: number } | undefined;
  /** How long a claim (renewed by every save) holds without a save; a killed run's claim lapses after it. Default 120 s. */
  leaseMs?: number | undefined;
}

export const DEFAULT_SESSION_LEASE_MS = 120_000;
const POLL_MS = 50;

function sessionStore(store: RunStore | undefined): SessionStore {
  const s = store as Partial<SessionStore> | undefined;
  if (!s || typeof s.claimSession !== 'function' || typeof s.appendSession !== 'function') {
    throw new ConfigError('session', 'a session needs a store that keeps sessions: run(agent, input, { store: await openStore(), session, owner })');
  }
  return s as SessionStore;
}

export class SessionInterceptor implements Interceptor {
  readonly name = 'session';
  private readonly store: SessionStore;
  private readonly owner: string;
  private readonly sessionId: string;
  private readonly leaseMs: number;
  private lease: SessionLease | undefined;
  private summary: Summary | undefined;
  /** How many of the conversation's messages (system ones not counted) are saved. */
  private saved = 0;
  /** The step path of the root agent: model calls there are the session's conversation. */
  private rootPath: string | undefined;

  constructor(private readonly settings: SessionSettings) {
    if (!settings.sessionId) throw new ConfigError('session', 'must be a non-empty id');
    if (!settings.owner) throw new ConfigError('owner', 'a session belongs to an owner (a user or tenant id): run(agent, input, { session, owner })');
    this.store = sessionStore(settings.store);
    this.owner = settings.owner;
    this.sessionId = settings.sessionId;
    this.leaseMs = settings.leaseMs ?? DEFAULT_SESSION_LEASE_MS;
    if (!(this.leaseMs > 0)) throw new ConfigError('sessionLeaseMs', `must be > 0, got ${this.leaseMs}`);
  }

  /** The memo a `summarize` policy keeps its summary in: this session's row. */
  readonly memo: SummaryMemo = {
    read: () => this.summary,
    write: async (summary) => {
      this.summary = summary;
      await this.append([], summary);
    },
  };

  /** True for model calls of the session's own conversation. */
  owns(call: ModelInvocation): boolean {
    return call.path === this.rootPath;
  }

  async step(call: StepInvocation, next: (call: StepInvocation) => Promise<unknown>): Promise<unknown> {
    if (call.parentSpanId !== undefined) return next(call);
    if (!(call.step instanceof Agent)) throw new ConfigError('session', `a session continues an agent's conversation; the run's root step "${call.step.name}" is not an Agent`);
    await this.claim(call);
    try {
      const history = await this.store.sessionMessages(this.owner, this.sessionId);
      this.saved = history.length;
      this.rootPath = call.path;
      const input = call.input as AgentInput;
      const fresh: readonly Message[] = typeof input === 'string' ? [{ role: 'user', content: input }] : input.filter((m) => m.role !== 'system');
      const output = (await next({ ...call, input: [...history, ...fresh] })) as AgentResult<unknown>;
      await this.saveNew([...output.messages, { role: 'assistant', content: output.text }]);
      return output;
    } finally {
      await this.store.releaseSession(this.owner, this.sessionId, call.ctx.runId).catch(() => {});
    }
  }

  async model(call: ModelInvocation, next: (call: ModelInvocation) => Promise<ModelResponse>): Promise<ModelResponse> {
    if (this.owns(call)) await this.saveNew(call.request.messages);
    return next(call);
  }

  private async claim(call: StepInvocation): Promise<void> {
    const holder = call.ctx.runId;
    const busy = this.settings.busy ?? 'fail';
    const until = busy === 'fail' ? 0 : Date.now() + busy.waitMs;
    for (;;) {
      const { claimed, current } = await this.store.claimSession(this.owner, this.sessionId, holder, this.leaseMs);
      if (claimed) {
        this.lease = { holder, version: claimed.version, leaseMs: this.leaseMs };
        this.summary = claimed.summary as Summary | undefined;
        return;
      }
      if (Date.now() >= until) throw new SessionBusy(this.sessionId, current.holder);
      call.ctx.throwIfAborted();
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Saves the conversation's messages beyond those already saved. */
  private async saveNew(messages: readonly Message[]): Promise<void> {
    const conversation = messages.filter((m) => m.role !== 'system');
    if (conversation.length > this.saved) await this.append(conversation.slice(this.saved));
  }

  private async append(messages: readonly Message[], summary?: Summary): Promise<void> {
    const lease = this.lease!;
    const version = await this.store.appendSession(this.owner, this.sessionId, lease, messages, summary);
    if (version === undefined) throw new SessionBusy(this.sessionId, undefined, 'lost');
    lease.version = version;
    this.saved += messages.length;
  }
}
