/**
 * Pattern 4 — loop. The body runs round after round until a deterministic
 * stop condition over the round's output says stop, or `maxRounds` is
 * reached. Both are mandatory: a loop without them has no guaranteed end.
 * Each round sees the previous round's output (e.g. the reviewer's
 * feedback), so the next attempt is informed by the last verdict.
 */
import { describeStep } from '../core/shape.js';
import type { RunContext } from '../core/context.js';
import { ConfigError } from '../core/errors.js';
import type { Step } from '../core/step.js';
import { runStep } from '../core/run-step.js';
import { isStep, type Stage } from './stage.js';

/** What the body receives each round. */
export interface LoopRound<I, O> {
  /** The loop's own input, unchanged across rounds. */
  input: I;
  /** 1-based. */
  round: number;
  /** The previous round's output (carrying its feedback), undefined in round 1. */
  previous: O | undefined;
  /** Every earlier round's output, oldest first. */
  history: readonly O[];
}

export interface LoopOptions<O> {
  /** Stop condition: a pure function of the round's output. Must return a boolean. */
  until: (output: O, round: number) => boolean;
  /** Hard cap on rounds (integer >= 1). */
  maxRounds: number;
  name?: string;
}

export interface LoopResult<O> {
  /** The last round's output. */
  output: O;
  /** Rounds actually run. */
  rounds: number;
  /** True when `until` said stop; false when maxRounds ran out first. */
  passed: boolean;
  history: O[];
}

export function loop<I, O>(body: Stage<LoopRound<I, O>, O>, options: LoopOptions<O>): Step<I, LoopResult<O>> {
  if (!isStep(body)) throw new ConfigError('loop.body', 'is not a Step');
  if (!options || typeof options.until !== 'function') {
    throw new ConfigError('loop.until', 'a deterministic stop condition (output, round) => boolean is required');
  }
  const { until, maxRounds } = options;
  if (maxRounds === undefined) throw new ConfigError('loop.maxRounds', 'is required: a loop needs a hard cap on rounds');
  if (!Number.isInteger(maxRounds) || maxRounds < 1) throw new ConfigError('loop.maxRounds', `must be an integer >= 1, got ${JSON.stringify(maxRounds)}`);
  const child = body as Step<LoopRound<I, O>, O>;

  return {
    name: options.name ?? `loop(${body.name})`,
    describe: () => ({ kind: 'loop', name: options.name ?? `loop(${body.name})`, children: [describeStep(body, 'body')] }),
    async run(input: I, ctx: RunContext): Promise<LoopResult<O>> {
      const history: O[] = [];
      for (let round = 1; round <= maxRounds; round++) {
        const output = await runStep(ctx, child, { input, round, previous: history[round - 2], history: history.slice() }, { round });
        history.push(output);
        const passed = until(output, round);
        if (typeof passed !== 'boolean') {
          throw new ConfigError('loop.until', `must return a boolean synchronously, got ${passed === null ? 'null' : typeof passed}`);
        }
        ctx.tracer.event('decision', 'loop:verdict', ctx.spanId, { round, passed, maxRounds });
        if (passed) return { output, rounds: round, passed: true, history };
      }
      ctx.tracer.event('decision', 'loop:max-rounds', ctx.spanId, { maxRounds });
      return { output: history[history.length - 1]!, rounds: maxRounds, passed: false, history };
    },
  };
}
