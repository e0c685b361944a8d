import type { BossVerdict } from '../scoring/boss-gate';
import type { CopyFinding } from '../scoring/copies';
import type { EliminationRecord } from '../scoring/ranking';
import type { PlayablePlan } from './round-planner.service';

/** A run the round was decided without (it kept failing for infrastructure reasons). */
export interface GivenUpRun {
  taskId: string;
  entrantId: string;
  attempt: number;
  infraFailures: number;
  reason: string;
}

/**
 * The rounds.decision jsonb column: the round's plan from its start, then what the engine recorded
 * while it ran and when it decided it. Written only by the engine (never from a request); sealed in
 * audit bundles, whose auditor compares `plan`, `advancing`, `eliminated` and `verdict` with its own
 * derivation. A type, not an interface, so it stays assignable to the bundles' plain-JSON records.
 */
export type RoundDecisionRecord = {
  /** The round's plan (groups, pairs or the boss pairing); set when the round is created. */
  plan?: PlayablePlan;
  /** ISO time the round started (absent in rows written before it was recorded: createdAt applies). */
  startedAt?: string;
  /** ISO time the round began waiting on runs that failed for infrastructure reasons. */
  waitingSince?: string;
  /** The round deadline (or the tournament's endsBy) passed: when, and the runs it closed. */
  deadline?: { at: string; closedRuns: string[] };
  /** Copies found in the round (scoring/copies.ts); their results did not count. */
  copies?: CopyFinding[];
  /** Group and knockout rounds: who advanced and who was eliminated. */
  advancing?: string[];
  eliminated?: EliminationRecord[];
  /** Boss round: the boss gate's verdict with its per-task margins. */
  verdict?: BossVerdict;
  /** Boss round stopped by the overrun rule: the runs it closed. */
  overrun?: { closedRuns: string[] };
  /** Runs the round was decided without, and why. */
  givenUp?: GivenUpRun[];
  givenUpReason?: string;
};

/** The plan a round was created with; every round row has one, so its absence is a broken invariant. */
export function roundPlan(round: { id: string; decision: RoundDecisionRecord | null }): PlayablePlan {
  const plan = round.decision?.plan;
  if (!plan) throw new Error(`round ${round.id} has no plan in its decision record`);
  return plan;
}
