/** Runs a step beneath another, under its own span and step path, so the trace is a tree of who called whom. */
import type { RunContext } from './context.js';
import { intercept, type StepInvocation } from './interceptor.js';
import type { Step } from './step.js';

export function runStep<I, O>(ctx: RunContext, child: Step<I, O>, input: I, attributes?: Record<string, unknown>): Promise<O> {
  const call: StepInvocation<I, O> = {
    ctx,
    step: child,
    input,
    attributes,
    spanId: ctx.tracer.newSpanId(),
    parentSpanId: ctx.spanId,
    path: ctx.path ? `${ctx.path}/${child.name}` : child.name,
  };
  return intercept('step', call as StepInvocation, enter) as Promise<O>;
}

/** The core of a step, inside every interceptor. */
async function enter(call: StepInvocation): Promise<unknown> {
  const { ctx } = call;
  ctx.throwIfAborted();
  const span = ctx.tracer.start('step', call.step.name, call.parentSpanId, call.attributes, call.spanId);
  try {
    const out = await call.step.run(call.input, ctx.with({ spanId: call.spanId, path: call.path }));
    span.end();
    return out;
  } catch (err) {
    span.fail(err);
    throw err;
  }
}
