/**
 * Pattern 15 — event-driven agent. Vend's fraud team reacts to payment
 * events as they happen: each event is enriched (user history, merchant
 * reputation), a fraud analyst model returns a structured decision (block /
 * flag / allow), and the decision is stored and published. The demo pushes a
 * burst of generated events, duplicates included, through `consume()`: every
 * distinct event is decided once, duplicates are skipped by event id.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { type RunContext, type Model, type Usage, ConfigError, MemoryTraceSink, step, type Step, runStep, run, prompt, type Store } from 'agent-patterns';
import { consume, type EventDecision, memorySource } from 'agent-patterns/events';
import { openStore } from 'agent-patterns/store';
import { lastUserMessage, scripted } from 'agent-patterns/testing';
import type { VendExample } from './types.js';

/** The reference's FraudEvent. */
export const FraudEventSchema = z.object({
  event_id: z.string().min(1),
  user_id: z.string().min(1),
  amount: z.number().nonnegative(),
  merchant: z.string().min(1),
  timestamp: z.string().min(1),
  risk_signal: z.string().min(1).describe('e.g. velocity_spike, new_device, geo_anomaly'),
});
export type FraudEvent = z.infer<typeof FraudEventSchema>;

/** The reference's DECISION_SCHEMA (strict: both fields required, nothing else). */
export const DecisionSchema = z.strictObject({
  action: z.enum(['block', 'flag', 'allow']),
  reasoning: z.string(),
});
export type Decision = z.infer<typeof DecisionSchema>;

/** The reference's FraudDecision. */
export interface FraudDecision extends Decision {
  event_id: string;
  triggered_at: string;
}

export interface FraudContext {
  user_prior_disputes: number;
  merchant_risk_tier: 'low' | 'medium' | 'high';
  transaction_count_last_hour: number;
}

export const SYSTEM_PROMPT =
  'You are a fraud risk analyst. Evaluate the transaction event and enriched context. ' +
  'Only block when evidence is strong. Flag when uncertain. Allow when risk is low.';

const MERCHANT_TIERS: Record<string, FraudContext['merchant_risk_tier']> = {
  'acme-electronics': 'medium',
  'giftcards-now': 'high',
  'corner-grocery': 'low',
  'crypto-swap': 'high',
  'book-nook': 'low',
  'travel-hub': 'medium',
};

/**
 * Enrichment: user history and merchant reputation. Deterministic per event
 * (a stand-in for the real lookups), so a redelivered event is judged on the
 * same facts.
 */
export const enrich: Step<FraudEvent, FraudContext> = step('enrich', (event: FraudEvent) => {
  const h = hash(event.user_id);
  return {
    user_prior_disputes: h % 7 === 0 ? 2 : h % 3 === 0 ? 1 : 0,
    merchant_risk_tier: MERCHANT_TIERS[event.merchant] ?? 'medium',
    transaction_count_last_hour: event.risk_signal === 'velocity_spike' ? 8 + (hash(event.event_id) % 10) : 1 + (hash(event.event_id) % 4),
  };
});

/** Scripted analyst: reads the event and context from the prompt and applies written-down rules. */
export function fraudAnalystScript(options: { delayMs?: number } = {}): Model {
  return scripted((req) => {
    const text = lastUserMessage(req);
    const event = JSON.parse(/Event:\n(.*)\n/.exec(text)?.[1] ?? '{}') as FraudEvent;
    const ctx = JSON.parse(/Context:\n(.*)$/s.exec(text)?.[1] ?? '{}') as FraudContext;
    const strong =
      (event.risk_signal === 'geo_anomaly' && ctx.user_prior_disputes > 0 && event.amount > 500) ||
      (ctx.transaction_count_last_hour >= 15 && ctx.merchant_risk_tier === 'high');
    if (strong) {
      return { object: { action: 'block', reasoning: `Strong evidence: ${event.risk_signal}, ${ctx.transaction_count_last_hour} transactions in the last hour, ${ctx.user_prior_disputes} prior disputes, ${ctx.merchant_risk_tier}-risk merchant, amount ${event.amount}.` } };
    }
    const uncertain = ctx.merchant_risk_tier === 'high' || ctx.user_prior_disputes > 0 || event.amount > 1000 || ctx.transaction_count_last_hour >= 10;
    if (uncertain) return { object: { action: 'flag', reasoning: `Uncertain: ${event.risk_signal} with some risk indicators; send to review.` } };
    return { object: { action: 'allow', reasoning: `Low risk: ${event.risk_signal} alone, clean history, ${ctx.merchant_risk_tier}-risk merchant.` } };
  }, options.delayMs ? { delayMs: options.delayMs } : {});
}

/** The event handler: enrichment → structured decision. One run per event under `consume()`. */
export function fraudDecisionStep(model: Model = fraudAnalystScript()): Step<FraudEvent, FraudDecision> {
  const analyst = prompt<{ event: FraudEvent; context: FraudContext }, Decision>({
    name: 'fraud-analyst',
    model,
    instructions: SYSTEM_PROMPT,
    input: ({ event, context }) => `Event:\n${JSON.stringify(event)}\n\nContext:\n${JSON.stringify(context)}`,
    output: DecisionSchema,
  });
  return {
    name: 'fraud-events',
    async run(input: FraudEvent, ctx: RunContext): Promise<FraudDecision> {
      const event = FraudEventSchema.parse(input);
      const context = await runStep(ctx, enrich, event);
      const decision = await runStep(ctx, analyst, { event, context });
      ctx.tracer.event('decision', 'fraud-action', ctx.spanId, { eventId: event.event_id, action: decision.action });
      return { event_id: event.event_id, action: decision.action, reasoning: decision.reasoning, triggered_at: new Date().toISOString() };
    },
  };
}

/** A deterministic burst: `count` deliveries, `duplicateRate` of them repeats of earlier events. */
export function generateFraudEvents(count: number, options: { duplicateRate?: number; seed?: number; prefix?: string } = {}): { id: string; payload: FraudEvent }[] {
  const rand = lcg(options.seed ?? 15);
  const duplicates = Math.round(count * (options.duplicateRate ?? 0.1));
  const merchants = Object.keys(MERCHANT_TIERS);
  const signals = ['velocity_spike', 'new_device', 'geo_anomaly', 'card_testing', 'none'];
  const base = Date.UTC(2026, 0, 15, 9, 0, 0);
  const out: { id: string; payload: FraudEvent }[] = [];
  for (let i = 0; i < count - duplicates; i++) {
    const id = `${options.prefix ?? 'evt'}-${String(i + 1).padStart(5, '0')}`;
    out.push({
      id,
      payload: {
        event_id: id,
        user_id: `u-${String(1 + Math.floor(rand() * 40)).padStart(3, '0')}`,
        amount: Math.round(rand() * rand() * 300_000) / 100,
        merchant: merchants[Math.floor(rand() * merchants.length)]!,
        timestamp: new Date(base + i * 1500).toISOString(),
        risk_signal: signals[Math.floor(rand() * signals.length)]!,
      },
    });
  }
  // Each duplicate repeats an earlier event somewhere after it (a producer's retry, a replay).
  for (let d = 0; d < duplicates; d++) {
    const at = 1 + Math.floor(rand() * out.length);
    const original = out[Math.floor(rand() * at)]!;
    out.splice(at, 0, { id: original.id, payload: { ...original.payload } });
  }
  return out;
}

export const example: VendExample = {
  name: 'fraud-events',
  pattern: 15,
  patternName: 'event-driven',
  summary: 'Decides block/flag/allow for a burst of payment events, each once, duplicates skipped by event id.',
  inputHelp: '"<N> events, <P>% duplicates": a generated burst (N 1-100000, P 0-90; default 10%)',
  defaultInput: '200 events, 10% duplicates',
  root: () => fraudDecisionStep(fraudAnalystScript()),
  checkInput: (input) => void parseBurst(input),
  async run(input, options = {}) {
    const { model, store: given, sinks, ...runOptions } = options;
    const { count, rate } = parseBurst(input);
    const events = generateFraudEvents(count, { duplicateRate: rate });
    const decider = fraudDecisionStep(model ?? fraudAnalystScript());
    const spans = new MemoryTraceSink();

    // Without a store given, a throwaway SQLite file: the decisions must be durable before each ack.
    const dir = given ? undefined : mkdtempSync(join(tmpdir(), 'fraud-events-'));
    // A run's store option is typed by what steps use of it; the consumer needs the whole store (openStore's).
    const store: Store = (given as Store | undefined) ?? (await openStore(join(dir!, 'decisions.db')));
    const published: EventDecision<FraudDecision>[] = [];
    const burst = step('fraud-events-burst', async (_: string, ctx: RunContext) => {
      const source = memorySource<FraudEvent>();
      for (const e of events) source.push(e.id, e.payload);
      source.end();
      const stats = await consume(source, decider, {
        consumer: 'fraud-events',
        store,
        concurrency: 8,
        runOptions: { sinks: [spans, ...(sinks ?? [])], ...(runOptions.logger ? { logger: runOptions.logger } : {}) },
        publish: (d) => void published.push(d),
      }).done;
      ctx.tracer.event('event', 'burst', ctx.spanId, { ...stats });
      return stats;
    });
    try {
      const result = await run(burst, input, { ...runOptions, sinks: sinks ?? [] });
      const stats = result.output;
      const byAction = { block: 0, flag: 0, allow: 0 };
      for (const d of published) byAction[d.decision.action]++;
      const usage = sumUsage(spans.spans);
      const scriptedModel = spans.spans.some((s) => s.kind === 'model' && s.attributes.provider === 'scripted');
      const examples = (['block', 'flag', 'allow'] as const)
        .map((a) => published.find((d) => d.decision.action === a))
        .filter((d) => d !== undefined)
        .map((d) => `  ${d.eventId}: ${d.decision.action} — ${d.decision.reasoning}`);
      return {
        outcome: `${stats.received} events, ${stats.decided} decided, ${stats.duplicates} duplicates skipped`,
        answer: [
          `Decisions: ${byAction.block} block, ${byAction.flag} flag, ${byAction.allow} allow; ${stats.deadLettered} dead-lettered.`,
          'For example:',
          ...examples,
        ].join('\n'),
        details: { stats, byAction, decisionsStored: await store.countDecisions('fraud-events') },
        result: {
          ...result,
          usage: { ...usage, wallMs: result.usage.wallMs },
          // Every event is its own run: the model calls are in their traces, so they join the burst's.
          trace: [...spans.spans, ...result.trace],
          scripted: scriptedModel,
        },
      };
    } finally {
      if (!given) {
        await store.close();
        rmSync(dir!, { recursive: true, force: true });
      }
    }
  },
};

/** "200 events, 10% duplicates" → the burst to generate; anything else is a ConfigError, never half-read. */
export function parseBurst(input: string): { count: number; rate: number } {
  const m = /^\s*(\d+)\s+events?\s*(?:,\s*(\d+(?:\.\d+)?)\s*%\s*duplicates?)?\s*$/i.exec(input);
  const count = Number(m?.[1]);
  const percent = m?.[2] === undefined ? 10 : Number(m[2]);
  if (!m || count < 1 || count > 100_000 || percent > 90) {
    throw new ConfigError('input', `fraud-events takes "<N> events, <P>% duplicates" with N from 1 to 100000 and P from 0 to 90 (e.g. "200 events, 10% duplicates"), got "${input}"`);
  }
  return { count, rate: percent / 100 };
}

function sumUsage(spans: readonly { kind: string; attributes: Record<string, unknown> }[]) {
  const u = { modelTurns: 0, toolCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (const s of spans) {
    if (s.kind === 'model') {
      u.modelTurns++;
      const usage = s.attributes.usage as Usage | undefined;
      u.inputTokens += usage?.inputTokens ?? 0;
      u.outputTokens += usage?.outputTokens ?? 0;
      u.costUsd += (s.attributes.costUsd as number | undefined) ?? 0;
    } else if (s.kind === 'tool') u.toolCalls++;
  }
  return u;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}
