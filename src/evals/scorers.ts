/**
 * The built-in scorers, one per kind of expectation a dataset can state:
 * about the text (exact, contains, notContains, regex, jsonSchema, field),
 * about what the run did (toolCalled, toolNotCalled, routeEquals, planPath,
 * approvalRequested, guardrailTripped, error) and about what it cost
 * (costUnder, turnsUnder, latencyUnder). They read the trace, never the
 * example's internals, so they work on any Step.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { SpanRecord } from '../core/span.js';
import type { CaseRun } from './case-run.js';
import { defineScorer, type Scorer } from './scorer.js';

const strings = z.union([z.string(), z.array(z.string()).min(1)]);
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
const show = (text: string) => JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…` : text);

const exact = defineScorer('exact', (run, e) => {
  const actual = e.trim === false ? run.text : run.text.trim();
  return actual === e.value ? { pass: true, reason: 'text matches exactly' } : { pass: false, reason: `expected ${show(e.value)}, got ${show(actual)}` };
}, z.strictObject({ value: z.string(), trim: z.boolean().optional() }));

function containment(run: CaseRun, values: string[], ignoreCase: boolean | undefined): { found: string[]; missing: string[] } {
  const hay = ignoreCase ? run.text.toLowerCase() : run.text;
  const found: string[] = [];
  const missing: string[] = [];
  for (const v of values) (hay.includes(ignoreCase ? v.toLowerCase() : v) ? found : missing).push(v);
  return { found, missing };
}

const contains = defineScorer('contains', (run, e) => {
  const { missing } = containment(run, list(e.value), e.ignoreCase);
  return missing.length === 0
    ? { pass: true, reason: `text contains ${list(e.value).map(show).join(', ')}` }
    : { pass: false, reason: `text lacks ${missing.map(show).join(', ')}: ${show(run.text)}` };
}, z.strictObject({ value: strings, ignoreCase: z.boolean().optional() }));

const notContains = defineScorer('notContains', (run, e) => {
  const { found } = containment(run, list(e.value), e.ignoreCase);
  return found.length === 0
    ? { pass: true, reason: `text has none of ${list(e.value).map(show).join(', ')}` }
    : { pass: false, reason: `text contains ${found.map(show).join(', ')}: ${show(run.text)}` };
}, z.strictObject({ value: strings, ignoreCase: z.boolean().optional() }));

const regex = defineScorer('regex', (run, e) => {
  const re = new RegExp(e.pattern, e.flags);
  return re.test(run.text) ? { pass: true, reason: `text matches /${e.pattern}/` } : { pass: false, reason: `text does not match /${e.pattern}/: ${show(run.text)}` };
}, z.strictObject({ pattern: z.string().refine(isRegExp, 'is not a valid regular expression'), flags: z.string().optional() }));

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** The structured value of an output: an agent's parsed `output`, an object as is, or the text parsed as JSON. */
function structured(output: unknown): { value: unknown } | undefined {
  if (output !== null && typeof output === 'object') {
    const o = output as { output?: unknown; text?: unknown };
    if (typeof o.text === 'string' && 'output' in o) return typeof o.output === 'string' ? parseJson(o.output) : { value: o.output };
    return { value: output };
  }
  return typeof output === 'string' ? parseJson(output) : undefined;
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

const jsonSchema = defineScorer('jsonSchema', (run, e) => {
  const value = structured(run.output);
  if (!value) return { pass: false, reason: `output is not JSON: ${show(run.text)}` };
  const check = z.fromJSONSchema(e.schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(value.value);
  if (check.success) return { pass: true, reason: 'output matches the JSON schema' };
  const issue = check.error.issues[0]!;
  return { pass: false, reason: `output does not match the JSON schema at ${issue.path.join('.') || '(root)'}: ${issue.message}` };
}, z.strictObject({ schema: z.record(z.string(), z.unknown()) }));

/** A value at a dot path of the output ("details.path", "outcome"). */
function at(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const field = defineScorer('field', (run, e) => {
  const v = at(run.output, e.path);
  if (e.equals !== undefined) {
    return isDeepStrictEqual(v, e.equals)
      ? { pass: true, reason: `${e.path} is ${JSON.stringify(e.equals)}` }
      : { pass: false, reason: `${e.path} is ${JSON.stringify(v)}, expected ${JSON.stringify(e.equals)}` };
  }
  const text = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
  if (e.contains !== undefined) {
    return text.includes(e.contains) ? { pass: true, reason: `${e.path} contains ${show(e.contains)}` } : { pass: false, reason: `${e.path} is ${show(text)}, lacks ${show(e.contains)}` };
  }
  const re = new RegExp(e.matches!);
  return re.test(text) ? { pass: true, reason: `${e.path} matches /${e.matches}/` } : { pass: false, reason: `${e.path} is ${show(text)}, does not match /${e.matches}/` };
}, z.strictObject({ path: z.string().min(1), equals: z.unknown().optional(), contains: z.string().optional(), matches: z.string().refine(isRegExp, 'is not a valid regular expression').optional() })
  .refine((p) => p.equals !== undefined || p.contains !== undefined || p.matches !== undefined, 'needs one of equals, contains, matches'));

function toolSpans(run: CaseRun, tool: string): SpanRecord[] {
  return run.trace.filter((s) => s.kind === 'tool' && s.name === tool);
}

/** True when every key given in `expected` has that value in `actual` (nested objects compared the same way). */
function matchesPartially(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object' || Array.isArray(expected)) return isDeepStrictEqual(actual, expected);
  if (actual === null || typeof actual !== 'object') return false;
  return Object.entries(expected).every(([k, v]) => matchesPartially((actual as Record<string, unknown>)[k], v));
}

const toolCalled = defineScorer('toolCalled', (run, e) => {
  let spans = toolSpans(run, e.tool);
  if (e.ok) spans = spans.filter((s) => s.status === 'ok');
  if (e.args !== undefined) spans = spans.filter((s) => matchesPartially(s.attributes.args, e.args));
  const what = `${e.tool}${e.args !== undefined ? ` with ${JSON.stringify(e.args)}` : ''}${e.ok ? ' (succeeded)' : ''}`;
  if (e.times !== undefined) {
    return spans.length === e.times
      ? { pass: true, reason: `${what} called ${spans.length} time(s), as expected` }
      : { pass: false, reason: `${what} called ${spans.length} time(s), expected ${e.times}` };
  }
  if (spans.length === 0) {
    const calls = run.trace.filter((s) => s.kind === 'tool').map((s) => `${s.name}(${JSON.stringify(s.attributes.args)})`);
    return { pass: false, reason: `${what} was not called; calls: ${calls.join(', ') || 'none'}` };
  }
  return { pass: true, reason: `${what} called ${spans.length} time${spans.length === 1 ? '' : 's'}` };
}, z.strictObject({ tool: z.string().min(1), args: z.unknown().optional(), times: z.number().int().nonnegative().optional(), ok: z.boolean().optional() }));

/** By default "not executed": a call refused by a guard, a schema or an approval does not count. `attempted: true` counts any call. */
const toolNotCalled = defineScorer('toolNotCalled', (run, e) => {
  const spans = toolSpans(run, e.tool).filter((s) => e.attempted || s.status === 'ok');
  if (spans.length === 0) return { pass: true, reason: `${e.tool} was ${e.attempted ? 'never called' : 'not executed'}` };
  return { pass: false, reason: `${e.tool} was ${e.attempted ? 'called' : 'executed'} ${spans.length} time(s), args ${JSON.stringify(spans[0]!.attributes.args)}` };
}, z.strictObject({ tool: z.string().min(1), attempted: z.boolean().optional() }));

function decisions(run: CaseRun, name: string): SpanRecord[] {
  return run.trace.filter((s) => s.kind === 'decision' && s.name === name);
}

/** The route taken: a `route(...)` decision's specialist (the fallback's name when it took over), or a coded router's `path`. */
const routeEquals = defineScorer('routeEquals', (run, e) => {
  const routes = decisions(run, 'route').map((d) => String(d.attributes.specialist ?? d.attributes.path));
  if (routes.length === 0) return { pass: false, reason: 'no routing decision in the trace' };
  return routes.includes(e.route) ? { pass: true, reason: `routed to ${e.route}` } : { pass: false, reason: `routed to ${routes.join(', ')}, expected ${e.route}` };
}, z.strictObject({ route: z.string().min(1) }));

/** The tools of the plan, in order (plan-and-execute's `plan` decision); an invalid plan is ["<invalid>"]. */
const planPath = defineScorer('planPath', (run, e) => {
  const plans = run.trace.filter((s) => s.kind === 'decision' && (s.name === 'plan' || s.name === 'plan-invalid'));
  if (plans.length === 0) return { pass: false, reason: 'no plan in the trace' };
  const last = plans[plans.length - 1]!;
  const tools = last.name === 'plan-invalid' ? ['<invalid>'] : (last.attributes.steps as string[]).map((s) => s.slice(s.indexOf(':') + 1));
  return isDeepStrictEqual(tools, e.tools)
    ? { pass: true, reason: `plan is ${tools.join(' → ')}` }
    : { pass: false, reason: `plan is ${tools.join(' → ')}, expected ${e.tools.join(' → ')}${last.name === 'plan-invalid' ? ` (${JSON.stringify(last.attributes.issues)})` : ''}` };
}, z.strictObject({ tools: z.array(z.string()).min(1) }));

/** A human approval was asked for: an approval event, a suspension, or a call refused for want of an approval gate. */
const approvalRequested = defineScorer('approvalRequested', (run, e) => {
  const asked =
    run.trace.some((s) => s.kind === 'approval' && s.name.startsWith('approval') && (!e.tool || s.name.endsWith(`:${e.tool}`))) ||
    run.error?.name === 'RunSuspended' ||
    run.trace.some((s) => s.kind === 'tool' && (!e.tool || s.name === e.tool) && /needs a human approval/.test(s.error?.message ?? ''));
  const want = e.value ?? true;
  return asked === want
    ? { pass: true, reason: asked ? 'an approval was requested' : 'no approval was requested' }
    : { pass: false, reason: asked ? 'an approval was requested, expected none' : `no approval was requested${e.tool ? ` for ${e.tool}` : ''}` };
}, z.strictObject({ value: z.boolean().optional(), tool: z.string().optional() }));

/** A guardrail blocked the run: a GuardrailTripped error, or a `guardrail:<name>` decision that did not allow. */
const guardrailTripped = defineScorer('guardrailTripped', (run, e) => {
  const events = run.trace.filter((s) => s.kind === 'decision' && s.name.startsWith('guardrail:') && (!e.name || s.name === `guardrail:${e.name}`));
  const tripped =
    (run.error?.name === 'GuardrailTripped' && (!e.name || run.error.message.includes(e.name))) ||
    events.some((s) => s.attributes.tripped === true || s.attributes.allow === false || s.attributes.blocked === true);
  const want = e.value ?? true;
  return tripped === want
    ? { pass: true, reason: tripped ? 'a guardrail tripped' : 'no guardrail tripped' }
    : { pass: false, reason: tripped ? 'a guardrail tripped, expected none' : `no guardrail${e.name ? ` "${e.name}"` : ''} tripped` };
}, z.strictObject({ value: z.boolean().optional(), name: z.string().optional() }));

/** A decision the trace records by name (`output-invalid`, `plan-invalid`, `parallel:partial`, `loop:max-rounds` …), or its absence. */
const decision = defineScorer('decision', (run, e) => {
  const found = decisions(run, e.name).length;
  const want = e.present ?? true;
  return (found > 0) === want
    ? { pass: true, reason: want ? `decision "${e.name}" recorded ${found} time(s)` : `no decision "${e.name}"` }
    : { pass: false, reason: want ? `no decision "${e.name}" in the trace` : `decision "${e.name}" recorded ${found} time(s), expected none` };
}, z.strictObject({ name: z.string().min(1), present: z.boolean().optional() }));

/** The run failed with this error (by name and/or code): a budget stop or a refusal can be the right outcome. */
const error = defineScorer('error', (run, e) => {
  if (!run.error) return { pass: false, reason: `the run succeeded; expected ${e.name ?? e.code ?? 'an error'}` };
  const ok = (!e.name || run.error.name === e.name) && (!e.code || run.error.code === e.code);
  return ok ? { pass: true, reason: `failed with ${run.error.name}` } : { pass: false, reason: `failed with ${run.error.name} (${run.error.code ?? 'no code'}): ${run.error.message}` };
}, z.strictObject({ name: z.string().optional(), code: z.string().optional() }));

const costUnder = defineScorer('costUnder', (run, e) => {
  const cost = run.usage?.costUsd ?? 0;
  return cost <= e.maxUsd ? { pass: true, reason: `cost $${cost.toFixed(6)} <= $${e.maxUsd}` } : { pass: false, reason: `cost $${cost.toFixed(6)} > $${e.maxUsd}` };
}, z.strictObject({ maxUsd: z.number().nonnegative() }));

const turnsUnder = defineScorer('turnsUnder', (run, e) => {
  const turns = run.usage?.modelTurns ?? 0;
  return turns <= e.max ? { pass: true, reason: `${turns} model turns <= ${e.max}` } : { pass: false, reason: `${turns} model turns > ${e.max}` };
}, z.strictObject({ max: z.number().int().nonnegative() }));

const latencyUnder = defineScorer('latencyUnder', (run, e) =>
  run.durationMs <= e.maxMs
    ? { pass: true, reason: `${run.durationMs.toFixed(1)} ms <= ${e.maxMs} ms` }
    : { pass: false, reason: `${run.durationMs.toFixed(1)} ms > ${e.maxMs} ms` },
z.strictObject({ maxMs: z.number().positive() }));

export const BUILTIN_SCORERS: Readonly<Record<string, Scorer>> = Object.freeze(
  Object.fromEntries(
    [exact, contains, notContains, regex, jsonSchema, field, toolCalled, toolNotCalled, routeEquals, planPath, decision, approvalRequested, guardrailTripped, error, costUnder, turnsUnder, latencyUnder].map((s) => [s.name, s]),
  ),
);
