/**
 * A Tool is a contract with the model: a narrow zod schema (sent as JSON
 * schema), an honest description and an `execute`. Irreversible tools must
 * declare a deterministic guard or a human approval, or they cannot be built.
 */
import type { z } from 'zod';
import type { ApprovalPolicy } from './approval.js';
import type { RunContext } from './context.js';
import { ConfigError } from './errors.js';
import type { JsonSchema, ToolSpec } from './model.js';
import { isStrictCompatible, toJsonSchema } from './schema.js';

export type { ApprovalPolicy } from './approval.js';
export type { ApprovalGate } from './context.js';

/** A guard's verdict: true/false, or an object with the reason recorded in the trace. */
export type GuardResult = boolean | { allow: boolean; reason?: string };

export interface ToolCallInfo {
  id: string;
  name: string;
}

export interface ToolConfig<S extends z.ZodType, R> {
  name: string;
  description: string;
  input: S;
  execute: (input: z.output<S>, ctx: RunContext, call: ToolCallInfo) => R | Promise<R>;
  /** Time limit of the guard and of `execute` (each; a human approval's wait is not counted): past it, a tool error the model sees. */
  timeoutMs?: number;
  /** Money movement, database writes, production changes. Needs `guard` or `approval`. */
  irreversible?: boolean;
  /**
   * Deterministic policy check, run before `execute`; the model cannot argue with it. Fails closed:
   * only `true` or `{ allow: true }` allows; a guard that throws, times out or answers anything else
   * denies the call (a tool error with the reason), and no approval is asked.
   */
  guard?: (input: z.output<S>, ctx: RunContext) => GuardResult | Promise<GuardResult>;
  /** Human approval for exactly this call (same arguments) before it runs. */
  approval?: boolean | ApprovalPolicy<z.output<S>>;
  /** A stable key for this call's side effect, so a resumed run can reconcile instead of repeating it. */
  idempotencyKey?: (input: z.output<S>, call: ToolCallInfo) => string;
  /**
   * A tool defined from a JSON Schema: the schema the model is sent, used as is
   * (then `input` validates against it, as `jsonSchemaTool` in agent-patterns/mcp does).
   */
  parameters?: JsonSchema;
  /** Fixed attributes of this tool's spans (an MCP tool records its server). */
  traceAttributes?: Record<string, unknown>;
}

export interface Tool<S extends z.ZodType = z.ZodType, R = unknown> extends ToolConfig<S, R> {
  readonly spec: ToolSpec;
}

/** Any tool, whatever its schema (for lists of tools). */
export type AnyTool = Tool<any, any>;

/** What one tool call came to: what the model is shown, and what the trace and the action log keep. */
export interface ToolOutcome {
  callId: string;
  tool: string;
  /** Parsed arguments when they were valid JSON, else the raw text. */
  args: unknown;
  ok: boolean;
  /** The tool's return value (ok) or the error message (not ok). */
  result: unknown;
  /** What the model is shown. */
  content: string;
  durationMs: number;
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export function tool<S extends z.ZodType, R>(config: ToolConfig<S, R>): Tool<S, R> {
  if (!NAME.test(config.name)) throw new ConfigError('tool.name', `"${config.name}" must match ${NAME}`);
  if (!config.description?.trim()) throw new ConfigError(`tool.${config.name}.description`, 'an honest description is required');
  if (config.irreversible && !config.guard && !config.approval) {
    throw new ConfigError(
      `tool.${config.name}.irreversible`,
      'an irreversible tool needs a deterministic guard or a human approval (rule 5)',
    );
  }
  if (config.timeoutMs !== undefined && !(config.timeoutMs > 0)) throw new ConfigError(`tool.${config.name}.timeoutMs`, 'must be > 0');
  const parameters = config.parameters ?? toJsonSchema(config.input, `tool.${config.name}.input`);
  return {
    ...config,
    spec: { name: config.name, description: config.description, parameters, strict: isStrictCompatible(parameters) },
  };
}
