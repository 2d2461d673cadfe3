/**
 * Pattern 9 — swarm. Several roles take turns on one shared transcript for
 * a number of rounds; then a neutral facilitator turns the debate into a
 * recommendation. The facilitator's input is exactly the transcript text, so
 * it has nothing to draw new claims from. A consensus check (deterministic
 * code over a round's contributions) may end the debate early.
 */
import { describeStep } from '../core/shape.js';
import type { RunContext } from '../core/context.js';
import { ConfigError } from '../core/errors.js';
import type { Step } from '../core/step.js';
import { runStep } from '../core/run-step.js';

/** What a role receives on its turn. */
export interface SwarmTurn {
  question: string;
  role: string;
  round: number;
  /** The shared transcript so far, as text (what the reference passes to every role). */
  transcript: string;
}

export interface SwarmEntry {
  role: string;
  round: number;
  text: string;
}

/** Who speaks in which order in a round: the roles' names, each at most once. */
export type TurnPolicy = (round: number, roles: readonly string[], transcript: readonly SwarmEntry[]) => readonly string[];

/** Decides from one round's contributions whether the roles already agree. */
export type ConsensusCheck = (round: readonly SwarmEntry[]) => boolean;

export interface SwarmOptions {
  /** Debate rounds (default 2). */
  rounds?: number;
  /** Turn order per round (default round-robin in the order roles were given). */
  turns?: TurnPolicy;
  /** Stop before the last round when this says the round reached consensus. */
  consensus?: ConsensusCheck;
  name?: string;
}

export interface SwarmResult<F> {
  question: string;
  /** The transcript exactly as the facilitator received it. */
  transcript: string;
  entries: SwarmEntry[];
  roundsRun: number;
  stopReason: 'rounds' | 'consensus';
  recommendation: F;
}

export const roundRobin: TurnPolicy = (_round, roles) => roles;

/** Round-robin that starts one role later each round, so no role always speaks first. */
export const rotating: TurnPolicy = (round, roles) => {
  const k = (round - 1) % roles.length;
  return [...roles.slice(k), ...roles.slice(0, k)];
};

const STANCE = /(?:^|\n)\s*stance\s*:\s*([a-z_-]+)\s*\.?\s*$/i;

/** The stance a contribution ends with ("STANCE: launch"), lower-cased, or undefined. */
export function stanceOf(text: string): string | undefined {
  return STANCE.exec(text.trimEnd())?.[1]?.toLowerCase();
}

/** Consensus when every contribution of the round ends with the same stance line. */
export const sameStance: ConsensusCheck = (round) => {
  if (round.length === 0) return false;
  const first = stanceOf(round[0]!.text);
  return first !== undefined && round.every((e) => stanceOf(e.text) === first);
};

export function renderTranscript(question: string, entries: readonly SwarmEntry[]): string {
  let out = `Decision question: ${question}\n`;
  for (const e of entries) out += `\n[${e.role}, round ${e.round}]\n${e.text}\n`;
  return out;
}

export function swarm<F>(
  roles: Record<string, Step<SwarmTurn, string>>,
  facilitator: Step<string, F>,
  options: SwarmOptions = {},
): Step<string, SwarmResult<F>> {
  const names = Object.keys(roles);
  if (names.length === 0) throw new ConfigError('swarm.roles', 'needs at least one role');
  const rounds = options.rounds ?? 2;
  if (!Number.isInteger(rounds) || rounds < 1) throw new ConfigError('swarm.rounds', 'must be an integer >= 1');
  const turns = options.turns ?? roundRobin;

  return {
    name: options.name ?? 'swarm',
    describe: () => ({ kind: 'swarm', name: options.name ?? 'swarm', children: [...names.map((n) => describeStep(roles[n]!, n)), describeStep(facilitator, 'facilitator')] }),
    async run(question: string, ctx: RunContext): Promise<SwarmResult<F>> {
      const entries: SwarmEntry[] = [];
      let transcript = renderTranscript(question, entries);
      let stopReason: SwarmResult<F>['stopReason'] = 'rounds';
      let roundsRun = 0;
      for (let round = 1; round <= rounds; round++) {
        const order = turns(round, names, entries);
        checkOrder(order, names, round);
        const thisRound: SwarmEntry[] = [];
        for (const role of order) {
          const text = await runStep(ctx, roles[role]!, { question, role, round, transcript }, { role, round });
          const entry: SwarmEntry = { role, round, text: String(text) };
          entries.push(entry);
          thisRound.push(entry);
          transcript += `\n[${role}, round ${round}]\n${entry.text}\n`;
        }
        roundsRun = round;
        if (options.consensus && round < rounds) {
          const agreed = options.consensus(thisRound);
          ctx.tracer.event('decision', 'swarm:consensus', ctx.spanId, { round, agreed, stances: thisRound.map((e) => `${e.role}=${stanceOf(e.text) ?? '?'}`) });
          if (agreed) {
            stopReason = 'consensus';
            break;
          }
        }
      }
      // The facilitator sees the transcript and nothing else.
      const recommendation = await runStep(ctx, facilitator, transcript, { rounds: roundsRun });
      return { question, transcript, entries, roundsRun, stopReason, recommendation };
    },
  };
}

function checkOrder(order: readonly string[], names: readonly string[], round: number): void {
  const seen = new Set<string>();
  for (const r of order) {
    if (!names.includes(r)) throw new ConfigError('swarm.turns', `round ${round}: unknown role "${r}"`);
    if (seen.has(r)) throw new ConfigError('swarm.turns', `round ${round}: role "${r}" speaks twice`);
    seen.add(r);
  }
}
