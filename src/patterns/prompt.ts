/**
 * One model call as a Step — the reference's `_text` and `_structured`.
 * With an `output` schema the answer is parsed and validated (one retry with
 * the validation error shown to the model); without, it is the text.
 */
import type { z } from 'zod';
import type { RunContext } from '../core/context.js';
import type { Model } from '../core/model.js';
import type { Step } from '../core/step.js';
import { Agent } from './agent.js';

export interface PromptConfig<I, O> {
  name: string;
  model: Model;
  /** The system prompt. */
  instructions: string;
  /** Builds the user message from the step input (default: String(input), or JSON for objects). */
  input?: (input: I) => string;
  /** Structured output schema; the step then returns the parsed object. */
  output?: z.ZodType<O>;
  temperature?: number;
  maxOutputTokens?: number;
}

export function prompt<I = string, O = string>(config: PromptConfig<I, O>): Step<I, O> {
  const agent = new Agent<O>({
    name: config.name,
    instructions: config.instructions,
    model: config.model,
    maxTurns: config.output ? 2 : 1,
    ...(config.output ? { output: config.output } : {}),
    ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
    ...(config.maxOutputTokens !== undefined ? { maxOutputTokens: config.maxOutputTokens } : {}),
  });
  const render = config.input ?? defaultRender;
  return {
    name: config.name,
    describe: () => ({ kind: 'agent', name: config.name }),
    async run(input: I, ctx: RunContext): Promise<O> {
      const result = await agent.run(render(input), ctx);
      return result.output;
    },
  };
}

function defaultRender(input: unknown): string {
  return typeof input === 'string' ? input : JSON.stringify(input, null, 2);
}
