/**
 * Pattern 7 — coordinator. A router picks exactly one specialist for the
 * input; the specialist answers. The router's answer is constrained to an
 * enum built from the specialists' names (sent to the model as a JSON
 * schema enum), and an invalid or low-confidence decision goes to the
 * fallback route instead of failing or guessing. The decision and its reason
 * are recorded as a 'decision' span.
 */
import type { z } from 'zod';
import { describeStep } from '../core/shape.js';
import type { RunContext } from '../core/context.js';
import { ConfigError, errorMessage, isFatal } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { formatIssues } from '../core/schema.js';
import type { Step } from '../core/step.js';
import { runStep } from '../core/run-step.js';
import { loadZod, type Zod } from './load-zod.js';
import { prompt } from './prompt.js';
import { isStep } from './stage.js';

export const DEFAULT_ROUTER_INSTRUCTIONS = 'Route this support request to exactly one specialist based on the primary issue.';

/** A model-backed router: route() gives it the enum-constrained output schema. */
export interface RouterConfig<I> {
  model: Model;
  instructions?: string;
  /** One line per specialist shown to the router (what each one handles). */
  descriptions?: Record<string, string>;
  /** Builds the router's user message (default: the input as text / JSON). */
  input?: (input: I) => string;
  name?: string;
}

export interface RoutingDecision<K extends string = string> {
  /** The specialist that answered (the fallback's name when the fallback answered). */
  specialist: K | 'fallback';
  reason: string;
  confidence?: number;
  /** True when the router's own choice was not used. */
  fallback: boolean;
  /** Why the fallback was taken: invalid decision, low confidence. */
  fallbackReason?: string;
  /** What the router proposed, when it proposed something usable. */
  proposed?: string;
}

export interface RouteResult<O, K extends string = string> {
  decision: RoutingDecision<K>;
  output: O;
}

export interface RouteOptions<I, O, K extends string> {
  /** Where invalid or low-confidence decisions go: a specialist's name or a step of its own. */
  fallback: NoInfer<K> | Step<I, O>;
  /** Decisions with a confidence below this go to the fallback (needs a confidence from the router). */
  minConfidence?: number;
  name?: string;
}

/** The routing schema for a set of specialists: specialist ∈ names, reason, confidence 0–1. */
export function routingSchema<K extends string>(z: Zod, names: readonly [K, ...K[]]) {
  return z.object({
    specialist: z.enum(names),
    reason: z.string(),
    confidence: z.number().min(0).max(1),
  });
}

export function route<I, O, K extends string>(
  router: Step<I, unknown> | RouterConfig<I>,
  specialists: Record<K, Step<I, O>>,
  options: RouteOptions<I, O, K>,
): Step<I, RouteResult<O, K>> {
  const names = Object.keys(specialists) as K[];
  if (names.length === 0) throw new ConfigError('route.specialists', 'needs at least one specialist');
  for (const n of names) {
    const s = specialists[n];
    if (!isStep(s)) throw new ConfigError(`route.specialists.${n}`, 'must be a Step');
  }
  const { fallback, minConfidence } = options;
  if (fallback === undefined) throw new ConfigError('route.fallback', 'is required: invalid or low-confidence decisions need somewhere to go');
  if (typeof fallback === 'string' && !names.includes(fallback)) {
    throw new ConfigError('route.fallback', `"${fallback}" is not a specialist (${names.join(', ')})`);
  }
  if (minConfidence !== undefined && !(minConfidence >= 0 && minConfidence <= 1)) throw new ConfigError('route.minConfidence', 'must be in [0, 1]');

  // Built on the first run (the schemas need zod, which importing the library does not load).
  let routing: Awaited<ReturnType<typeof buildRouting<I, K>>> | undefined;
  const fallbackName = typeof fallback === 'string' ? fallback : 'fallback';
  const fallbackStep: Step<I, O> = typeof fallback === 'string' ? specialists[fallback] : fallback;

  return {
    name: options.name ?? 'route',
    describe: () => ({
      kind: 'route',
      name: options.name ?? 'route',
      children: [
        isStep(router) ? describeStep(router, 'router') : { kind: 'agent', name: router.name ?? 'router', role: 'router' },
        ...names.map((k) => describeStep(specialists[k], k)),
        ...(typeof fallback === 'string' ? [] : [describeStep(fallbackStep, 'fallback')]),
      ],
    }),
    async run(input: I, ctx: RunContext): Promise<RouteResult<O, K>> {
      let decision: RoutingDecision<K>;
      let raw: unknown;
      let routerError: string | undefined;
      const { routerStep, decisionCheck } = (routing ??= await buildRouting(router, names));
      try {
        raw = await runStep(ctx, routerStep, input);
      } catch (err) {
        if (isFatal(err)) throw err;
        routerError = errorMessage(err);
      }
      const parsed = routerError === undefined ? decisionCheck.safeParse(raw) : undefined;
      if (!parsed?.success) {
        decision = {
          specialist: fallbackName as K,
          reason: 'the routing decision was invalid',
          fallback: true,
          fallbackReason: `invalid decision: ${routerError ?? formatIssues(parsed!.error)}`,
        };
        const proposed = (raw as { specialist?: unknown } | undefined)?.specialist;
        if (typeof proposed === 'string') decision.proposed = proposed;
      } else {
        const d = parsed.data;
        decision = { specialist: d.specialist, reason: d.reason, fallback: false };
        if (d.confidence !== undefined) decision.confidence = d.confidence;
        if (minConfidence !== undefined && !(d.confidence !== undefined && d.confidence >= minConfidence)) {
          decision = {
            ...decision,
            specialist: fallbackName as K,
            fallback: true,
            proposed: d.specialist,
            fallbackReason:
              d.confidence === undefined ? 'no confidence given' : `confidence ${d.confidence} is below ${minConfidence}`,
          };
        }
      }
      ctx.tracer.event('decision', 'route', ctx.spanId, { ...decision });
      const target = decision.fallback ? fallbackStep : specialists[decision.specialist as K];
      const output = await runStep(ctx, target, input, { specialist: decision.specialist });
      return { decision, output };
    },
  };
}

async function buildRouting<I, K extends string>(router: Step<I, unknown> | RouterConfig<I>, names: readonly K[]) {
  const z = await loadZod();
  const schema = routingSchema(z, names as [K, ...K[]]);
  // A model router gets the schema as its structured output; a custom router's answer is validated the same way.
  const decisionCheck = schema.extend({ confidence: z.number().min(0).max(1).optional() });
  const routerStep: Step<I, unknown> = isStep(router) ? router : modelRouter(router, names, schema);
  return { routerStep, decisionCheck };
}

function modelRouter<I, K extends string>(config: RouterConfig<I>, names: readonly K[], schema: z.ZodType): Step<I, unknown> {
  const list = names.map((n) => `- ${n}${config.descriptions?.[n] ? `: ${config.descriptions[n]}` : ''}`).join('\n');
  const instructions =
    `${config.instructions ?? DEFAULT_ROUTER_INSTRUCTIONS}\n\nSpecialists:\n${list}\n\n` +
    'Answer with the specialist, a one-sentence reason, and your confidence from 0 to 1.';
  return prompt<I, unknown>({
    name: config.name ?? 'router',
    model: config.model,
    instructions,
    output: schema,
    ...(config.input ? { input: config.input } : {}),
  });
}
