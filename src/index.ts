/**
 * agent-patterns — the public vocabulary: Model, Tool, Step, RunContext,
 * Budget, Tracer, Store, and the patterns built on them. Heavy optional parts
 * (real providers' SDKs, PostgreSQL, Redis, the studio) load only when used.
 */
export * from './core/errors.js';
export type { Message, ToolCall } from './core/messages.js';
export { system, user } from './core/messages.js';
export type {
  Model, ModelRequest, ModelResponse, StreamEvent, Usage, ToolSpec, OutputSpec, JsonSchema, CallOptions, FinishReason,
} from './core/model.js';
export { streamFromGenerate } from './core/model.js';
export { Budget, DEFAULT_BUDGET, type BudgetLimits, type BudgetUsage } from './core/budget.js';
export { setPrice, priceOf, costOf, type Price } from './core/pricing.js';
export type { SpanKind, SpanRecord, TraceSink } from './core/span.js';
export { Tracer, ActiveSpan, spanTree, type SpanNode } from './core/tracer.js';
export { JsonlTraceSink } from './core/sinks/jsonl.js';
export { MemoryTraceSink } from './core/sinks/memory.js';
export { createLogger, type Logger } from './core/logger.js';
export { redact, REDACTED } from './core/redact.js';
export { RunContext, type RunContextOptions } from './core/context.js';
export { step, run, runStep, type Step, type StepInput, type StepOutput, type RunOptions, type RunResult } from './core/step.js';
export { tool, type Tool, type AnyTool, type ToolConfig, type GuardResult, type ApprovalPolicy, type ApprovalGate, type ToolCallInfo } from './core/tool.js';
export { toJsonSchema } from './core/schema.js';
export { callModel } from './core/call-model.js';
export { runToolCall, type ToolOutcome } from './core/run-tool.js';
export type { Store } from './core/store.js';

export { prompt, type PromptConfig } from './patterns/prompt.js';
export { Agent, ReActAgent, type AgentConfig, type AgentResult, type ActionRecord, type AgentInput } from './patterns/agent.js';

export {
  scripted, scriptedByRules, ScriptedModel, SCRIPTED_NOTICE, systemPrompt, lastUserMessage, toolResults,
  type ScriptedTurn, type ScriptRule, type ScriptedOptions, type Responder,
} from './models/scripted.js';
export { createModel, parseModelSpec, type ModelSpecOptions } from './models/registry.js';
