/**
 * The overrun rule: what a tournament that is still playing when its time budget (`endsBy`) passes
 * ends with. The engine applies it live and deriveTournament replays it from the evidence's
 * `overrun` marker, so the auditor reaches the same ranking. Pure: no Nest, TypeORM or IO imports.
 *
 * 1. Rounds decided before `endsBy` keep their decisions.
 * 2. A group or knockout round in progress is decided on the tasks that finished: its unfinished
 *    runs are closed with no result (as at a round deadline), then it is decided as usual.
 * 3. No further round is played. Challengers still in the running are ranked just above the ones
 *    eliminated in the last decided round, in their seeding for the round that was not played.
 * 4. The boss round is not played, or when it is in progress it is not decided: the champion defends
 *    (keeps the title) and the boss challenger ranks second. Without a champion (a type's first
 *    tournament and no baseline) a lone challenger takes the title as usual (no boss round is needed);
 *    with several challengers left nobody holds the title.
 */
import type { BracketContext, RoundPlan } from './bracket';
import type { EliminationRecord } from './ranking';

/** Recorded on the tournament (and sealed with it) when the engine stopped it at `endsBy`. */
export interface OverrunMarker {
  /** The `endsBy` that passed (ISO 8601). */
  endsBy: string;
  /** When the engine applied the rule (ISO 8601). */
  at: string;
  /** Rounds decided on their results (indices 0..decidedRounds-1); later rounds fall under the rule. */
  decidedRounds: number;
  reason: string;
}

export interface OverrunStop {
  /** Who holds the title: the champion (possibly the bracket's no-champion stand-in). */
  titleHolder: string;
  /** The boss challenger, when the rule stopped a boss round (it ranks right after the champion). */
  bossChallenger: string | null;
  /** Challengers still in the running when the rule stopped a group or knockout round. */
  unplaced: EliminationRecord[];
}

/** Applies rules 3 and 4 to the round that was not played (or not decided): `plan`. */
export function overrunStop(ctx: BracketContext, plan: Exclude<RoundPlan, { kind: 'done' }>, submittedAt: (id: string) => number): OverrunStop {
  if (plan.kind === 'boss') return { titleHolder: ctx.champion, bossChallenger: plan.challenger, unplaced: [] };
  const seeded = plan.kind === 'group' ? plan.groups.flatMap((g) => g.entrants) : plan.pairs.flatMap((p) => [...p.entrants]);
  const challengers = seeded.filter((id) => id !== ctx.champion);
  return {
    titleHolder: ctx.champion,
    bossChallenger: null,
    unplaced: challengers.map((entrantId, i) => ({ entrantId, submittedAt: submittedAt(entrantId), roundIndex: plan.roundIndex, withinRoundRank: i + 1, valid: true })),
  };
}

/** Plain-words reason recorded with the marker. */
export function overrunReason(endsBy: Date, plan: Exclude<RoundPlan, { kind: 'done' }>): string {
  const what = plan.kind === 'boss' ? 'the boss round could not finish: the champion defends' : `round ${plan.roundIndex} (${plan.kind}) was not played: the challengers left rank in their seeding`;
  return `time budget passed (endsBy ${endsBy.toISOString()}): finalised with the rounds decided so far; ${what}`;
}
