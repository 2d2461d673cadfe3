/**
 * agent-patterns — the everyday vocabulary: Agent, tools, steps, the patterns, budgets, traces, errors
 * and createModel. The rest lives under subpaths, each loaded only when imported:
 * `agent-patterns/durable`, `/hitl`, `/events` (+ `/events/webhook`, `/events/redis`), `/store`
 * (+ `/sqlite`, `/postgres`), `/testing` (the scripted model), `/sandbox` (and Reflexion), `/models`
 * (+ `/models/openai`, `/models/openai-compatible`, `/models/anthropic`), `/otel`.
 */
export * from './core/errors.js';
export type { Message, ToolCall } from './core/messages.js';
export { system, user } from './core/messages.js';
export type {
  Model, ModelRequest, ModelResponse, StreamEvent, Usage, ToolSpec, OutputSpec, JsonSchema, CallOptions, FinishReason,
} from './core/model.js';
export { streamFromGenerate } from './core/model.js';
export { Budget, DEFAULT_BUDGET, type BudgetLimits, type BudgetUsage } from './core/budget.js';
export { setPrice, costOf, type Price } from './core/pricing.js';
export type { SpanKind, SpanRecord, TraceSink } from './core/span.js';
export { Tracer, spanTree, type SpanNode } from './core/tracer.js';
export { JsonlTraceSink } from './core/sinks/jsonl.js';
export { MemoryTraceSink } from './core/sinks/memory.js';
export { createLogger, type Logger } from './core/logger.js';
export { redact, REDACTED } from './core/redact.js';
export { registerSecret, scrubText } from './core/secrets.js';
export { RunContext, type RunContextOptions, type ContextChanges } from './core/context.js';
export { CancelScope } from './core/cancel-scope.js';
export type { Interceptor, ModelInvocation, ToolInvocation, StepInvocation } from './core/interceptor.js';
export {
  inputGuardrail, outputGuardrail,
  type Guardrail, type GuardrailArgs, type InputVerdict, type OutputVerdict, type InputGuardrailOptions, type OutputGuardrailOptions,
} from './core/guardrail.js';
export { step, type Step, type StepInput, type StepOutput } from './core/step.js';
export { runStep } from './core/run-step.js';
export { run, type RunOptions, type RunResult } from './core/run.js';
export { stream, type RunStream } from './core/streaming/stream.js';
export type { RunEvent, RunEventType } from './core/streaming/events.js';
export { tool, type Tool, type AnyTool, type ToolConfig, type ToolOutcome, type GuardResult, type ApprovalPolicy, type ApprovalGate, type ToolCallInfo } from './core/tool.js';
export { callModel } from './core/call-model.js';
export { runToolCall } from './core/run-tool.js';
export type { Store } from './store/types.js';
export type { RunStore } from './core/store.js';

export { prompt, type PromptConfig } from './patterns/prompt.js';
export { Agent, ReActAgent, MaxTurnsExceeded, type AgentConfig, type AgentResult, type ActionRecord, type AgentInput } from './patterns/agent.js';
export type { Stage, CommonInput, InputOf, OutputOf } from './patterns/stage.js';
export { sequence, pipeline, assign, Sequence } from './patterns/sequence.js';
export {
  parallel, describeBranches, Parallel,
  type BranchResult, type BranchOutputs, type BranchResults, type Branches, type FailurePolicy, type ParallelOptions, type Gathered,
} from './patterns/parallel.js';
export { loop, type LoopOptions, type LoopResult, type LoopRound } from './patterns/loop.js';
export { critique, type CritiqueOptions, type CritiqueResult, type DraftRequest, type JudgeRequest } from './patterns/critique.js';
export {
  refine, type RefineOptions, type RefineResult, type RefineRequest, type RefineAttempt, type RefineStopReason, type Score, type ScoreRequest,
} from './patterns/refine.js';
export {
  route, DEFAULT_ROUTER_INSTRUCTIONS,
  type RouteOptions, type RouteResult, type RouterConfig, type RoutingDecision,
} from './patterns/route.js';
export {
  decompose, DECOMPOSE_PLANNER_INSTRUCTIONS, WorkerBudgetExceeded,
  type DecomposeOptions, type DecomposeResult, type DecompositionRequest, type DecompositionPlannerConfig, type WorkerInput, type WorkerReport,
  type SynthesisInput, type Workstream, type WorkstreamPlan, type PlanBounds,
} from './patterns/decompose.js';
export {
  swarm, roundRobin, rotating, sameStance, stanceOf,
  type SwarmOptions, type SwarmResult, type SwarmTurn, type SwarmEntry, type TurnPolicy, type ConsensusCheck,
} from './patterns/swarm.js';
export {
  planAndExecute, EXECUTION_PLANNER_INSTRUCTIONS,
  type PlanAndExecuteOptions, type PlanAndExecuteResult, type ExecutionPlan, type ExecutionPlanRequest, type ExecutionPlannerConfig,
  type PlannedStep, type PlanStepResult, type PlanApproval, type PlanStatus, type SummaryInput,
} from './patterns/plan-and-execute.js';

export { createModel, type ModelSpecOptions } from './models/registry.js';
