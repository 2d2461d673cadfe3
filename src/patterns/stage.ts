/**
 * A Step as the workflow patterns take it. Same shape as `Step`, but `run`
 * is a function-typed property instead of a method: TypeScript checks method
 * parameters bivariantly, which would let a stage that needs
 * `{contract, obligations}` follow one that only produces `{contract}`.
 * Function properties are checked contravariantly, so stage contracts hold.
 */
import type { RunContext } from '../core/context.js';
import type { StepShape } from '../core/shape.js';

export interface Stage<I, O> {
  readonly name: string;
  readonly run: (input: I, ctx: RunContext) => Promise<O>;
  readonly describe?: () => StepShape;
}

/** The input every step of a set accepts (the intersection of their inputs). */
export type CommonInput<B extends Record<string, Stage<any, any>>> =
  { [K in keyof B]: (input: InputOf<B[K]>) => void }[keyof B] extends (input: infer I) => void ? I : never;

/** True when `x` has a Step's `run` function (how every pattern checks what it is given). */
export function isStep<T>(x: T): x is Extract<T, Stage<any, any>> {
  return typeof (x as { run?: unknown } | null | undefined)?.run === 'function';
}

export type InputOf<S> = S extends Stage<infer I, any> ? I : never;
export type OutputOf<S> = S extends Stage<any, infer O> ? O : never;
