/**
 * Patterns 1 and 10 — the single agent and ReAct. One model, one system
 * prompt, a bounded set of tools: the model picks a tool, sees the result,
 * and goes on until it answers. Tool-call problems go back to the model as
 * tool errors; run-level caps (budget, abort) stop the run with a typed error.
 * The action trace (tool, arguments, result, timing) is part of the result.
 */
import type { StepShape } from '../core/shape.js';
import type { z } from 'zod';
import { callModel } from '../core/call-model.js';
import type { RunContext } from '../core/context.js';
import { AgentPatternsError, ConfigError, OutputValidationError, RunSuspended } from '../core/errors.js';
import { runGuarded, type Guardrail } from '../core/guardrail.js';
import type { Interceptor, StepInvocation } from '../core/interceptor.js';
import type { Message, ToolCall } from '../core/messages.js';
import type { Model, ModelRequest, OutputSpec, ReasoningEffort, ToolSpec } from '../core/model.js';
import { runToolCall } from '../core/run-tool.js';
import { formatIssues, isStrictCompatible, toJsonSchema } from '../core/schema.js';
import type { Step } from '../core/step.js';
import type { AnyTool, ToolOutcome } from '../core/tool.js';

export interface AgentConfig<O> {
  name: string;
  instructions: string;
  model: Model;
  tools?: readonly AnyTool[];
  /** The agent's own turn cap (default 20): a model still calling tools at it stops the agent with `MaxTurnsExceeded`. */
  maxTurns?: number;
  /** Structured output: the final answer must parse as JSON matching this schema. */
  output?: z.ZodType<O>;
  temperature?: number;
  /** How hard a reasoning model thinks, where the provider has such an option. */
  reasoningEffort?: ReasoningEffort;
  maxOutputTokens?: number;
  /** Wrap this agent's model and tool calls and the steps beneath it, inside the run's own interceptors. */
  interceptors?: readonly Interceptor[];
  /** Checks around this agent's run: `input` before its first model call, `output` on its final answer (src/core/guardrail.ts). */
  guardrails?: { input?: readonly Guardrail[]; output?: readonly Guardrail[] };
}

export interface ActionRecord {
  turn: number;
  tool: string;
  callId: string;
  args: unknown;
  ok: boolean;
  result: unknown;
  durationMs: number;
}

export interface AgentResult<O = string> {
  /** The final assistant text. */
  text: string;
  /** The parsed structured output (or the text when no output schema is set). */
  output: O;
  /** The action trace: every tool call with its arguments, result and timing. */
  actions: ActionRecord[];
  turns: number;
  stopReason: 'final';
  /** The whole conversation, to continue it or to inspect it. */
  messages: Message[];
}

export type AgentInput = string | readonly Message[];

const DEFAULT_MAX_TURNS = 20;

/**
 * The agent used its turns without answering. An error, not a canned answer: a caller reading `output`
 * can never mistake a truncated run for a result. It carries what the agent did so far.
 */
export class MaxTurnsExceeded extends AgentPatternsError {
  constructor(
    readonly agent: string,
    readonly maxTurns: number,
    readonly actions: ActionRecord[],
    readonly messages: Message[],
  ) {
    super('MAX_TURNS_EXCEEDED', `agent "${agent}" made no final answer within its ${maxTurns} turns (maxTurns)`);
  }
}

export class Agent<O = string> implements Step<AgentInput, AgentResult<O>> {
  readonly name: string;
  readonly model: Model;
  private readonly instructions: string;
  private readonly toolsByName: ReadonlyMap<string, AnyTool>;
  private readonly toolSpecs: ToolSpec[] | undefined;
  private readonly outputSpec: OutputSpec | undefined;
  private readonly outputSchema: z.ZodType<O> | undefined;
  private readonly maxTurns: number;
  private readonly temperature: number | undefined;
  private readonly reasoningEffort: ReasoningEffort | undefined;
  private readonly maxOutputTokens: number | undefined;
  private readonly interceptors: readonly Interceptor[] | undefined;
  /** Input guardrails first (outermost), then output ones. */
  private readonly guardrails: readonly Guardrail[];

  constructor(config: AgentConfig<O>) {
    if (!config.name) throw new ConfigError('agent.name', 'is required');
    if (!config.model) throw new ConfigError(`agent.${config.name}.model`, 'is required');
    const maxTurns = config.maxTurns ?? DEFAULT_MAX_TURNS;
    if (!(maxTurns >= 1)) throw new ConfigError(`agent.${config.name}.maxTurns`, 'must be >= 1');
    const tools = config.tools ?? [];
    const byName = new Map<string, AnyTool>();
    for (const t of tools) {
      if (byName.has(t.name)) throw new ConfigError(`agent.${config.name}.tools`, `duplicate tool name "${t.name}"`);
      byName.set(t.name, t);
    }
    this.name = config.name;
    this.model = config.model;
    this.instructions = config.instructions;
    this.toolsByName = byName;
    this.toolSpecs = tools.length ? tools.map((t) => t.spec) : undefined;
    this.outputSchema = config.output;
    if (config.output) {
      const schema = toJsonSchema(config.output, `agent.${config.name}.output`);
      this.outputSpec = { name: 'output', schema, strict: isStrictCompatible(schema) };
    }
    this.maxTurns = maxTurns;
    this.temperature = config.temperature;
    this.reasoningEffort = config.reasoningEffort;
    this.maxOutputTokens = config.maxOutputTokens;
    this.interceptors = config.interceptors?.length ? [...config.interceptors] : undefined;
    this.guardrails = [...stageChecked(config, 'input'), ...stageChecked(config, 'output')];
  }

  describe(): StepShape {
    return { kind: 'agent', name: this.name, children: [...this.toolsByName.keys()].map((name) => ({ kind: 'tool', name })) };
  }

  run(input: AgentInput, outer: RunContext): Promise<AgentResult<O>> {
    const ctx = this.interceptors ? outer.with({ interceptors: [...outer.interceptors, ...this.interceptors] }) : outer;
    if (this.guardrails.length === 0) return this.loop(input, ctx);
    const call: StepInvocation = { ctx, step: this, input, attributes: undefined, spanId: ctx.spanId ?? '', parentSpanId: undefined, path: ctx.path };
    return runGuarded(this.guardrails, call, (c) => this.loop(c.input as AgentInput, c.ctx), ctx.spanId) as Promise<AgentResult<O>>;
  }

  private async loop(input: AgentInput, ctx: RunContext): Promise<AgentResult<O>> {
    const messages: Message[] = [{ role: 'system', content: this.instructions }];
    if (typeof input === 'string') messages.push({ role: 'user', content: input });
    else messages.push(...checkedMessages(input, this.name).filter((m) => m.role !== 'system'));
    const actions: ActionRecord[] = [];
    // Every field in one literal (absent ones undefined): one shape for every request.
    const request: ModelRequest = {
      messages,
      tools: this.toolSpecs,
      output: this.outputSpec,
      temperature: this.temperature,
      reasoningEffort: this.reasoningEffort,
      maxOutputTokens: this.maxOutputTokens,
    };

    for (let turn = 1; turn <= this.maxTurns; turn++) {
      const response = await callModel(ctx, this.model, request, this.name);
      if (response.toolCalls.length === 0) {
        const parsed = this.parseOutput(response.text);
        if (parsed.ok) return { text: response.text, output: parsed.value, actions, turns: turn, stopReason: 'final', messages };
        // Invalid structured output: show the model its mistake and let it try again within its turns.
        messages.push({ role: 'assistant', content: response.text });
        messages.push({ role: 'user', content: `Your answer did not match the required JSON schema: ${parsed.error.issues}. Answer again with only valid JSON.` });
        ctx.tracer.event('decision', 'output-invalid', ctx.spanId, { issues: parsed.error.issues });
        if (turn === this.maxTurns) throw parsed.error;
        continue;
      }
      messages.push({ role: 'assistant', content: response.text, toolCalls: response.toolCalls });
      const calls = response.toolCalls;
      const outcomes =
        calls.length === 1
          ? [await runToolCall(ctx, this.toolsByName, calls[0]!)]
          : await this.runConcurrently(ctx, calls);
      for (const o of outcomes) {
        messages.push({ role: 'tool', toolCallId: o.callId, toolName: o.tool, content: o.content, isError: !o.ok });
        actions.push({ turn, tool: o.tool, callId: o.callId, args: o.args, ok: o.ok, result: o.result, durationMs: o.durationMs });
      }
    }
    ctx.tracer.event('decision', 'max-turns', ctx.spanId, { maxTurns: this.maxTurns });
    throw new MaxTurnsExceeded(this.name, this.maxTurns, actions, messages);
  }

  /**
   * Several tool calls of one turn run at the same time (a method: a closure in run() would cost every run a context).
   * All of them settle before the turn ends: a call still at work when a sibling suspends the run would otherwise
   * go on (ask for an approval, act) after the run has stopped. Suspensions merge, as in `parallel`.
   */
  private async runConcurrently(ctx: RunContext, calls: readonly ToolCall[]): Promise<ToolOutcome[]> {
    const settled = await Promise.allSettled(calls.map((call) => runToolCall(ctx, this.toolsByName, call)));
    const failed = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failed.length === 0) return settled.map((r) => (r as PromiseFulfilledResult<ToolOutcome>).value);
    const suspended = failed.filter((e): e is RunSuspended => e instanceof RunSuspended);
    throw suspended.length === failed.length ? RunSuspended.merge(suspended) : failed.find((e) => !(e instanceof RunSuspended));
  }

  private parseOutput(text: string): { ok: true; value: O } | { ok: false; error: OutputValidationError } {
    if (!this.outputSchema) return { ok: true, value: text as O };
    let json: unknown;
    try {
      json = JSON.parse(extractJson(text));
    } catch (err) {
      return { ok: false, error: new OutputValidationError(`not valid JSON (${(err as Error).message})`, text) };
    }
    const result = this.outputSchema.safeParse(json);
    return result.success ? { ok: true, value: result.data } : { ok: false, error: new OutputValidationError(formatIssues(result.error), text) };
  }
}

/** The agent's guardrails of one stage, refused when one of the other stage was put there. */
function stageChecked(config: AgentConfig<unknown>, stage: 'input' | 'output'): readonly Guardrail[] {
  const list = config.guardrails?.[stage] ?? [];
  for (const g of list) {
    if (g.stage !== stage) throw new ConfigError(`agent.${config.name}.guardrails.${stage}`, `"${g.name}" is an ${g.stage} guardrail`);
  }
  return list;
}

/** The conversation an agent is given, checked: a caller's object or a malformed message fails here, by name, not deep in a provider. */
function checkedMessages(input: unknown, agent: string): readonly Message[] {
  const field = `agent.${agent}.input`;
  if (!Array.isArray(input)) {
    throw new ConfigError(field, `must be a string or an array of messages, got ${input === null ? 'null' : typeof input}`);
  }
  for (let i = 0; i < input.length; i++) {
    const m = input[i] as { role?: unknown; content?: unknown } | null;
    if (m === null || typeof m !== 'object' || !ROLES.has(m.role as string)) {
      throw new ConfigError(`${field}[${i}].role`, `must be one of ${[...ROLES].join(', ')}`);
    }
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) throw new ConfigError(`${field}[${i}].content`, 'must be text');
  }
  return input as readonly Message[];
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** Models sometimes wrap JSON in a ```json fence; take what is inside. */
export function extractJson(text: string): string {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  return (fenced ? fenced[1]! : text).trim();
}

/** Pattern 10: ReAct is the same loop; the action trace is its first-class output. */
export const ReActAgent = Agent;
