/**
 * Pattern 2 — sequential. Stages run in a fixed order, each one's output is
 * the next one's input, and TypeScript checks every hand-over. A stage that
 * fails stops the pipeline with StepFailed naming it; run-level stops
 * (budget, abort, suspension) pass through unchanged.
 */
import { describeStep, type StepShape } from '../core/shape.js';
import type { RunContext } from '../core/context.js';
import { ConfigError, StepFailed, isFatal } from '../core/errors.js';
import type { Step } from '../core/step.js';
import { runStep } from '../core/run-step.js';
import { isStep, type Stage } from './stage.js';

/** A pipeline of stages; itself a Step, so it nests. `pipe` appends a stage (any length, still typed). */
export class Sequence<I, O> implements Step<I, O> {
  constructor(
    readonly name: string,
    /** The stages, in order (typed at the edges by `sequence`/`pipe`). */
    readonly stages: readonly Stage<any, any>[],
  ) {}

  async run(input: I, ctx: RunContext): Promise<O> {
    const n = this.stages.length;
    let value: unknown = input;
    for (let i = 0; i < n; i++) {
      const stage = this.stages[i]!;
      try {
        value = await runStep(ctx, stage as Step<unknown, unknown>, value, { stage: i + 1, of: n });
      } catch (err) {
        if (isFatal(err)) throw err;
        ctx.throwIfAborted();
        throw new StepFailed(stage.name, err);
      }
    }
    return value as O;
  }

  describe(): StepShape {
    return { kind: 'sequence', name: this.name, children: this.stages.map((s) => describeStep(s)) };
  }

  /** A new sequence with one more stage at the end: its input must be this sequence's output. */
  pipe<O2>(next: Stage<O, O2>): Sequence<I, O2> {
    return new Sequence<I, O2>(this.name, [...this.stages, next]);
  }

  /** The same stages under another name (the name of its span and of StepFailed in an outer pipeline). */
  named(name: string): Sequence<I, O> {
    return new Sequence<I, O>(name, this.stages);
  }
}

export function sequence<A, B>(s1: Stage<A, B>): Sequence<A, B>;
export function sequence<A, B, C>(s1: Stage<A, B>, s2: Stage<B, C>): Sequence<A, C>;
export function sequence<A, B, C, D>(s1: Stage<A, B>, s2: Stage<B, C>, s3: Stage<C, D>): Sequence<A, D>;
export function sequence<A, B, C, D, E>(s1: Stage<A, B>, s2: Stage<B, C>, s3: Stage<C, D>, s4: Stage<D, E>): Sequence<A, E>;
export function sequence<A, B, C, D, E, F>(
  s1: Stage<A, B>, s2: Stage<B, C>, s3: Stage<C, D>, s4: Stage<D, E>, s5: Stage<E, F>,
): Sequence<A, F>;
export function sequence<A, B, C, D, E, F, G>(
  s1: Stage<A, B>, s2: Stage<B, C>, s3: Stage<C, D>, s4: Stage<D, E>, s5: Stage<E, F>, s6: Stage<F, G>,
): Sequence<A, G>;
export function sequence<A, B, C, D, E, F, G, H>(
  s1: Stage<A, B>, s2: Stage<B, C>, s3: Stage<C, D>, s4: Stage<D, E>, s5: Stage<E, F>, s6: Stage<F, G>, s7: Stage<G, H>,
): Sequence<A, H>;
export function sequence<A, B, C, D, E, F, G, H, J>(
  s1: Stage<A, B>, s2: Stage<B, C>, s3: Stage<C, D>, s4: Stage<D, E>, s5: Stage<E, F>, s6: Stage<F, G>, s7: Stage<G, H>, s8: Stage<H, J>,
): Sequence<A, J>;
/** Runs the stages in order; `sequence(a, b, c)` is a Step from a's input to c's output. Longer: `pipeline()`. */
export function sequence(...stages: Stage<any, any>[]): Sequence<unknown, unknown> {
  if (stages.length === 0) throw new ConfigError('sequence.stages', 'needs at least one stage');
  stages.forEach((s, i) => {
    if (!isStep(s)) throw new ConfigError(`sequence.stages[${i}]`, 'is not a Step');
  });
  return new Sequence('sequence', stages);
}

/** A typed builder for pipelines of any length: `pipeline<string>('review').pipe(a).pipe(b)`. */
export function pipeline<I>(name: string): Sequence<I, I> {
  return new Sequence<I, I>(name, []);
}

/**
 * Runs `stage` and adds its output to the input under `key`, so later stages
 * see everything earlier ones produced (`{contract}` → `{contract, obligations}`).
 * One span, named after the stage.
 */
export function assign<I extends object, K extends string, O>(key: K, stage: Stage<I, O>): Step<I, I & { [P in K]: O }> {
  return {
    name: stage.name,
    async run(input, ctx) {
      const value = await stage.run(input, ctx);
      return { ...input, [key]: value } as I & { [P in K]: O };
    },
  };
}
