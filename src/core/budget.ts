/**
 * One budget per run, shared by every nested step. Each charge checks its
 * cap and throws BudgetExceeded at once: a run never goes silently past a cap.
 */
import { BudgetExceeded, ConfigError, type BudgetLimitName } from './errors.js';
import type { Usage } from './model.js';

export interface BudgetLimits {
  maxModelTurns?: number;
  maxToolCalls?: number;
  maxInputTokens?: number;
  maxOutputTokens?: number;
  maxTotalTokens?: number;
  maxCostUsd?: number;
  maxWallMs?: number;
}

/** Every run has a budget: these apply where the caller sets none. */
export const DEFAULT_BUDGET: Readonly<Required<Pick<BudgetLimits, 'maxModelTurns' | 'maxToolCalls' | 'maxCostUsd' | 'maxWallMs'>>> =
  Object.freeze({ maxModelTurns: 100, maxToolCalls: 200, maxCostUsd: 5, maxWallMs: 15 * 60_000 });

export interface BudgetUsage {
  modelTurns: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  wallMs: number;
}

const LIMIT_NAMES: BudgetLimitName[] = [
  'maxModelTurns', 'maxToolCalls', 'maxInputTokens', 'maxOutputTokens', 'maxTotalTokens', 'maxCostUsd', 'maxWallMs',
];

function validate(limits: BudgetLimits): void {
  for (const name of LIMIT_NAMES) {
    const v = limits[name];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0) || Number.isNaN(v))) {
      throw new ConfigError(`budget.${name}`, `must be a number >= 0, got ${typeof v === 'number' ? v : JSON.stringify(v)}`);
    }
  }
  // Zero turns or tool calls is a real policy ("no tools here"); zero time would fail every run before it starts.
  if (limits.maxWallMs === 0) throw new ConfigError('budget.maxWallMs', 'must be > 0 (a run with no time cannot start)');
}

const NO_OPTS: { startedAt?: number; used?: Partial<BudgetUsage> } = Object.freeze({});

export class Budget {
  readonly limits: Readonly<BudgetLimits>;
  readonly startedAt: number;
  modelTurns = 0;
  toolCalls = 0;
  inputTokens = 0;
  outputTokens = 0;
  costUsd = 0;
  /** True when the caller set a finite maxCostUsd (the default cap does not ask for prices); a share of a capped budget is capped too. */
  capsCost: boolean;

  constructor(limits?: BudgetLimits, opts: { startedAt?: number; used?: Partial<BudgetUsage> } = NO_OPTS) {
    if (limits === undefined) this.limits = DEFAULT_BUDGET; // the common case: no copy, nothing to validate
    else {
      validate(limits);
      this.limits = { ...DEFAULT_BUDGET, ...limits };
    }
    this.capsCost = limits?.maxCostUsd !== undefined && Number.isFinite(limits.maxCostUsd);
    this.startedAt = opts.startedAt ?? Date.now();
    if (opts.used) {
      this.modelTurns = opts.used.modelTurns ?? 0;
      this.toolCalls = opts.used.toolCalls ?? 0;
      this.inputTokens = opts.used.inputTokens ?? 0;
      this.outputTokens = opts.used.outputTokens ?? 0;
      this.costUsd = opts.used.costUsd ?? 0;
    }
  }

  /** Called before a model call: the call is refused if it would pass maxModelTurns. */
  chargeModelTurn(): void {
    this.checkWall();
    const max = this.limits.maxModelTurns;
    if (max !== undefined && this.modelTurns + 1 > max) throw new BudgetExceeded('maxModelTurns', max, this.modelTurns + 1);
    this.modelTurns++;
  }

  /** Called before a tool call: refused if it would pass maxToolCalls. */
  chargeToolCall(): void {
    this.checkWall();
    const max = this.limits.maxToolCalls;
    if (max !== undefined && this.toolCalls + 1 > max) throw new BudgetExceeded('maxToolCalls', max, this.toolCalls + 1);
    this.toolCalls++;
  }

  /** Called after a model call with what it used; throws if a token or cost cap is now passed. */
  recordUsage(usage: Usage, costUsd: number): void {
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    this.costUsd += costUsd;
    const l = this.limits;
    if (l.maxInputTokens !== undefined && this.inputTokens > l.maxInputTokens)
      throw new BudgetExceeded('maxInputTokens', l.maxInputTokens, this.inputTokens);
    if (l.maxOutputTokens !== undefined && this.outputTokens > l.maxOutputTokens)
      throw new BudgetExceeded('maxOutputTokens', l.maxOutputTokens, this.outputTokens);
    if (l.maxTotalTokens !== undefined && this.inputTokens + this.outputTokens > l.maxTotalTokens)
      throw new BudgetExceeded('maxTotalTokens', l.maxTotalTokens, this.inputTokens + this.outputTokens);
    if (l.maxCostUsd !== undefined && this.costUsd > l.maxCostUsd) throw new BudgetExceeded('maxCostUsd', l.maxCostUsd, this.costUsd);
  }

  checkWall(): void {
    const max = this.limits.maxWallMs;
    if (max === undefined) return;
    const elapsed = Date.now() - this.startedAt;
    if (elapsed > max) throw new BudgetExceeded('maxWallMs', max, elapsed);
  }

  /** ms left before the wall-time cap, or undefined without one. */
  remainingWallMs(): number | undefined {
    const max = this.limits.maxWallMs;
    return max === undefined ? undefined : Math.max(0, max - (Date.now() - this.startedAt));
  }

  usage(): BudgetUsage {
    return {
      modelTurns: this.modelTurns,
      toolCalls: this.toolCalls,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      costUsd: this.costUsd,
      wallMs: Date.now() - this.startedAt,
    };
  }
}
