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
export { RunContext, type RunContextOptions, type ContextChanges } from './core/context.js';
export { CancelScope } from './core/cancel-scope.js';
export type { Interceptor, ModelInvocation, ToolInvocation, StepInvocation } from './core/interceptor.js';
export { step, type Step, type StepInput, type StepOutput } from './core/step.js';
export { runStep } from './core/run-step.js';
export { run, type RunOptions, type RunResult } from './core/run.js';
// Sessions and context policies add their run options (`session`, `owner`, `context`); the rest is in 'agent-patterns/sessions'.
import './sessions/run-options.js';
export { tool, type Tool, type AnyTool, type ToolConfig, type ToolOutcome, type GuardResult, type ApprovalPolicy, type ApprovalGate, type ToolCallInfo } from './core/tool.js';
export { toJsonSchema } from './core/schema.js';
export { callModel } from './core/call-model.js';
export { runToolCall } from './core/run-tool.js';
export type { Store } from './store/types.js';
export type { RunStore } from './core/store.js';
export type {
  RunStatus, RunRecord, ApprovalStatus, ApprovalRecord, ApprovalDecision, AuditEntry, DecisionRecord, DeadLetter,
} from './store/types.js';
export { openStore, isPostgresUrl, STORE_ENV } from './store/open.js';
export { SqliteStore, DEFAULT_SQLITE_PATH, type SqliteStoreOptions } from './store/sqlite.js';
export { StoreError, ApprovalNotFound, ApprovalAlreadyDecided, ApprovalExists, ApprovalChanged } from './store/errors.js';
export { StoreTraceSink, type StoreTraceSinkOptions } from './store/trace-sink.js';

export { prompt, type PromptConfig } from './patterns/prompt.js';
export { Agent, ReActAgent, type AgentConfig, type AgentResult, type ActionRecord, type AgentInput } from './patterns/agent.js';
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
  route, routingSchema, DEFAULT_ROUTER_INSTRUCTIONS,
  type RouteOptions, type RouteResult, type RouterConfig, type RoutingDecision,
} from './patterns/route.js';
export {
  decompose, workstreamPlanSchema, DECOMPOSE_PLANNER_INSTRUCTIONS, WorkerBudgetExceeded,
  type DecomposeOptions, type DecomposeResult, type DecompositionRequest, type DecompositionPlannerConfig, type WorkerInput, type WorkerReport,
  type SynthesisInput, type Workstream, type WorkstreamPlan, type PlanBounds,
} from './patterns/decompose.js';
export { mapLimit, type MapLimitOptions } from './patterns/map-limit.js';
export {
  reflexion, reflexionAgent, codeGenerator, codeReflector, ReflectionSchema, jsonEqual, extractCode,
  generatorInstructions, REFLECTOR_INSTRUCTIONS, renderGenerateRequest, renderReflectRequest,
  type CodingTask, type TestCase, type Reflection, type ReflexionMemoryEntry, type GenerateRequest, type ReflectRequest,
  type TestOutcome, type ReflexionAttempt, type ReflexionResult, type ReflexionOptions,
} from './patterns/reflexion.js';
export { Sandbox, createSandbox, type SandboxOptions, type SandboxRunOptions } from './sandbox/sandbox.js';
export { SandboxUnavailable } from './sandbox/errors.js';
export type {
  SandboxLanguage, SandboxIsolation, SandboxLimits, SandboxRunRequest, SandboxResult, SandboxFailure, SandboxFailureKind, SandboxCaseResult,
} from './sandbox/types.js';
export {
  swarm, roundRobin, rotating, sameStance, stanceOf, renderTranscript,
  type SwarmOptions, type SwarmResult, type SwarmTurn, type SwarmEntry, type TurnPolicy, type ConsensusCheck,
} from './patterns/swarm.js';
export {
  planAndExecute, executionPlanSchema, EXECUTION_PLANNER_INSTRUCTIONS,
  type PlanAndExecuteOptions, type PlanAndExecuteResult, type ExecutionPlan, type ExecutionPlanRequest, type ExecutionPlannerConfig,
  type PlannedStep, type PlanStepResult, type PlanApproval, type PlanStatus, type SummaryInput,
} from './patterns/plan-and-execute.js';

export {
  consume, type Consumer, type ConsumeOptions, type ConsumeStats, type EventDecision, type EventHandler, type EventStore, type BackoffOptions,
} from './events/consume.js';
export type { Delivery, EventSource } from './events/source.js';
export { memorySource, type MemorySource } from './events/memory.js';
export {
  redisStreamSource, redisPublisher, parseRedisStreamUrl,
  type RedisStreamOptions, type RedisStreamSource, type RedisDelivery, type RedisPublisher,
} from './events/redis-streams.js';
// The webhook source (node:http) is not here: import it from 'agent-patterns/events/webhook'.

// Durable runs (checkpoint + replay) and human-in-the-loop approvals (pattern 11).
export { durableRun, resumeRun, type DurableOptions, type ResumeOptions, type DurableResult, type DurableState } from './durable/run.js';
export { WorkflowRegistry, defineWorkflow, type WorkflowDefinition } from './durable/registry.js';
export { ResumeError, ReplayDivergence, type ResumeProblem } from './durable/errors.js';
export { recordEffect, EFFECTS_NAMESPACE, type Reconciler, type StartedCall } from './durable/reconcile.js';
export { DurableJournal } from './durable/journal.js';
export { StoreApprovalGate, type StoreApprovalGateOptions } from './hitl/store-gate.js';
export { DemoApprovals, demoApprovals, DEMO_REVIEWER, type DemoApprovalsOptions } from './hitl/demo-gate.js';
export { decideApproval, type DecisionInput } from './hitl/decide.js';
export { sweepApprovals, applyTimeout, type SweepAction } from './hitl/sweep.js';
export { withApprovalContext, decisionFor, type ApprovalContext, type HumanDecision, type DecisionSource } from './hitl/evidence.js';
export { approvalKey, canonicalJson } from './hitl/keys.js';
export { ReviewerMismatch } from './hitl/errors.js';

export {
  scripted, scriptedByRules, ScriptedModel, SCRIPTED_NOTICE, systemPrompt, lastUserMessage, toolResults,
  type ScriptedTurn, type ScriptRule, type ScriptedOptions, type Responder,
} from './models/scripted.js';
// Evaluation (rule 6): datasets of failure cases, scorers, an LLM judge; reports and record/replay in 'agent-patterns/evals'.
export { evaluate, type EvaluateOptions, type EvalResult, type CaseResult, type Scorers } from './evals/evaluate.js';
export { defineScorer, type Scorer, type ScoreResult } from './evals/scorer.js';
export { llmJudge, type JudgeOptions } from './evals/judge.js';
export type { EvalCase, Expectation } from './evals/dataset.js';
export { createModel, parseModelSpec, type ModelSpecOptions } from './models/registry.js';
export { RateLimiter, type RateLimits } from './models/http/rate-limit.js';
