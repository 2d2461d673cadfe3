/**
 * Durable workflows by name, so a new process can rebuild the code of a run
 * it did not start (`resumeRun(runId, { registry })`, `agent-patterns resume`).
 */
import type { BudgetLimits } from '../core/budget.js';
import { ConfigError } from '../core/errors.js';
import type { Step } from '../core/step.js';
import type { Reconciler } from './reconcile.js';

export interface WorkflowDefinition<I = any, O = any> {
  name: string;
  step: Step<I, O>;
  /** Change it when the steps change so that old checkpoints no longer describe them; resume then refuses. */
  version?: string;
  /** Per irreversible tool: how to find out whether a call that crashed mid-way happened. */
  reconcilers?: Readonly<Record<string, Reconciler>>;
  budget?: BudgetLimits;
}

export class WorkflowRegistry {
  private readonly byName = new Map<string, WorkflowDefinition>();

  constructor(definitions: readonly WorkflowDefinition[] = []) {
    for (const d of definitions) this.register(d);
  }

  register(definition: WorkflowDefinition): this {
    if (!definition.name) throw new ConfigError('workflow.name', 'is required');
    if (this.byName.has(definition.name)) throw new ConfigError(`workflow.${definition.name}`, 'is already registered');
    this.byName.set(definition.name, definition);
    return this;
  }

  get(name: string): WorkflowDefinition | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}

export function defineWorkflow<I, O>(definition: WorkflowDefinition<I, O>): WorkflowDefinition<I, O> {
  return definition;
}
