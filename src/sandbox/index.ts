/** agent-patterns/sandbox — running generated code without network or writes, and Reflexion (pattern 13) built on it. */
export { Sandbox, createSandbox, type SandboxOptions, type SandboxRunOptions } from './sandbox.js';
export { SandboxUnavailable } from './errors.js';
export type {
  SandboxLanguage, SandboxIsolation, SandboxLimits, SandboxRunRequest, SandboxResult, SandboxFailure, SandboxFailureKind, SandboxCaseResult,
} from './types.js';
export {
  reflexion, reflexionAgent, codeGenerator, codeReflector, ReflectionSchema, jsonEqual, extractCode,
  generatorInstructions, REFLECTOR_INSTRUCTIONS,
  type CodingTask, type TestCase, type Reflection, type ReflexionMemoryEntry, type GenerateRequest, type ReflectRequest,
  type TestOutcome, type ReflexionAttempt, type ReflexionResult, type ReflexionOptions,
} from './reflexion.js';
