/**
 * A Step is anything runnable. Every pattern is a Step and takes Steps, so
 * patterns nest. `runStep` (run-step.ts) runs one beneath another; `run`
 * (run.ts) runs one as a whole run.
 */
import type { RunContext } from './context.js';
import type { StepShape } from './shape.js';

export interface Step<I, O> {
  readonly name: string;
  run(input: I, ctx: RunContext): Promise<O>;
  /** What the step is made of (patterns describe their children; see describeStep). */
  describe?(): StepShape;
}

export type StepInput<S> = S extends Step<infer I, unknown> ? I : never;
export type StepOutput<S> = S extends Step<unknown, infer O> ? O : never;

/** A Step from a plain function: deterministic code is a first-class stage. */
export function step<I, O>(name: string, fn: (input: I, ctx: RunContext) => O | Promise<O>): Step<I, O> {
  return { name, run: async (input, ctx) => fn(input, ctx) };
}
