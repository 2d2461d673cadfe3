/**
 * What an MCP tool may do, and what it takes to run it. MCP annotations are
 * hints from the server, read with the specification's defaults: a tool not
 * marked `readOnlyHint: true` may change the world, and unless it is marked
 * `destructiveHint: false` it may do so irreversibly. So:
 *
 * - read-only: runs like any tool;
 * - write (not read-only, `destructiveHint: false`): runs like our own
 *   reversible tools that write (a ticket, a draft), recorded in its span
 *   with `mcp.effect: "write"`;
 * - destructive (the default for an unannotated tool): `irreversible`, so it
 *   never runs without a guard or a human approval; without a policy of
 *   yours it asks for an approval (refused in a run without an approval gate).
 *
 * Your config has the last word, one line per server or per tool.
 */
import type { ApprovalPolicy, GuardResult } from '../core/tool.js';
import type { RunContext } from '../core/context.js';
import type { ToolAnnotations } from './sdk.js';

export type McpEffect = 'read-only' | 'write' | 'destructive';

export type McpToolPolicy =
  /** Follow the server's annotations (the default). */
  | 'annotations'
  /** Trust the tool as read-only: it runs without a gate. */
  | 'read-only'
  /** Every call needs a human approval. */
  | 'approval'
  /** A deterministic guard and/or an approval of yours (the tool keeps the effect its annotations give it). */
  | {
      guard?: (args: Record<string, unknown>, ctx: RunContext) => GuardResult | Promise<GuardResult>;
      approval?: boolean | ApprovalPolicy<Record<string, unknown>>;
    };

export interface ResolvedPolicy {
  effect: McpEffect;
  irreversible: boolean;
  guard?: (args: Record<string, unknown>, ctx: RunContext) => GuardResult | Promise<GuardResult>;
  approval?: boolean | ApprovalPolicy<Record<string, unknown>>;
  /** One line for people: what runs this tool and why. */
  label: string;
}

export function effectOf(annotations: ToolAnnotations | undefined): McpEffect {
  if (annotations?.readOnlyHint === true) return 'read-only';
  return annotations?.destructiveHint === false ? 'write' : 'destructive';
}

export function resolvePolicy(annotations: ToolAnnotations | undefined, policy: McpToolPolicy = 'annotations'): ResolvedPolicy {
  const effect = effectOf(annotations);
  const irreversible = effect === 'destructive';
  if (policy === 'read-only') return { effect: 'read-only', irreversible: false, label: 'read-only (trusted by config)' };
  if (policy === 'approval') return { effect, irreversible, approval: true, label: `${effect}: human approval (config)` };
  if (typeof policy === 'object') {
    const gates = [policy.guard && 'guard', policy.approval && 'human approval'].filter(Boolean).join(' + ');
    if (irreversible && !gates) return { effect, irreversible, approval: true, label: 'destructive: human approval (the policy gave no gate)' };
    return { effect, irreversible, ...policy, label: `${effect}: ${gates || 'runs'} (config)` };
  }
  if (effect === 'destructive') return { effect, irreversible, approval: true, label: 'destructive: human approval (default)' };
  return { effect, irreversible, label: effect === 'read-only' ? 'read-only' : 'write: runs (not destructive)' };
}
