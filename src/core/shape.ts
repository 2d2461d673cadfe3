/**
 * What a Step is made of, as data: its kind, its name and the steps it runs.
 * Every pattern describes itself, so a tool (the studio) can draw the
 * workflow — a sequence of a parallel of agents, a route with its
 * specialists and fallback — from the steps themselves, and lay a run's spans
 * on the picture by name.
 */
export interface StepShape {
  /** 'agent', 'sequence', 'parallel', 'route', 'tool', … or 'step' for plain code. */
  kind: string;
  /** The step's name: the name of its spans. */
  name: string;
  /** How the parent knows this child: a branch key, a route key, 'generator', 'fallback'. */
  role?: string;
  children?: StepShape[];
}

/** The shape of any step: its own description, or a leaf of kind 'step'. */
export function describeStep(step: { readonly name: string; describe?: () => StepShape }, role?: string): StepShape {
  const shape = typeof step.describe === 'function' ? step.describe() : { kind: 'step', name: step.name };
  return role === undefined ? shape : { ...shape, role };
}
