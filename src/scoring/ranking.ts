/**
 * Ranking: one task's results, round winners, and the final tournament ranking.
 *
 * Order on a task: valid results by their metric, ascending for a loss (direction 'lower', the
 * default) and descending for a reward ('higher'); failed runs (no value, or a non-finite one) after
 * every valid result; ties (equal loss, or both failed) go to the earlier
 * submission, then to the smaller entrant id (plain UTF-16 code unit order, not locale order).
 *
 * Pure: no Nest, TypeORM or IO imports.
 */

/** Which way a task's metric is better: 'lower' for losses (the default), 'higher' for rewards. */
export type MetricDirection = 'lower' | 'higher';
export const METRIC_DIRECTIONS: readonly MetricDirection[] = ['lower', 'higher'];

export interface TaskResult {
  entrantId: string;
  /** When the entrant submitted, ms since the Unix epoch; the earlier submission wins ties. */
  submittedAt: number;
  /** The task metric (lower is better unless the task's direction is 'higher'); null when the run failed or its model was invalid. */
  loss: number | null;
}

export interface RankedResult extends TaskResult {
  /** 1-based and unique: ties are already broken. */
  rank: number;
  /** False when the run failed (no finite loss). */
  valid: boolean;
}

export function isValidLoss(loss: number | null): loss is number {
  return loss !== null && Number.isFinite(loss);
}

/** Earlier submission first, then smaller id. */
export function compareBySubmission(
  a: { submittedAt: number; entrantId: string },
  b: { submittedAt: number; entrantId: string },
): number {
  if (a.submittedAt !== b.submittedAt) return a.submittedAt - b.submittedAt;
  return a.entrantId < b.entrantId ? -1 : a.entrantId > b.entrantId ? 1 : 0;
}

/** Ranks one task's results (best first, by the task's metric direction). Throws on a duplicated entrant id. */
export function rankTask(results: readonly TaskResult[], direction: MetricDirection = 'lower'): RankedResult[] {
  if (!METRIC_DIRECTIONS.includes(direction)) throw new RangeError(`unknown metric direction ${String(direction)}`);
  const sign = direction === 'higher' ? -1 : 1;
  const seen = new Set<string>();
  for (const r of results) {
    if (seen.has(r.entrantId)) throw new Error(`entrant ${r.entrantId} appears twice in one task`);
    seen.add(r.entrantId);
    if (!Number.isFinite(r.submittedAt)) throw new Error(`entrant ${r.entrantId} has no valid submittedAt`);
  }
  const sorted = results.slice().sort((a, b) => {
    const av = isValidLoss(a.loss);
    const bv = isValidLoss(b.loss);
    if (av !== bv) return av ? -1 : 1;
    if (av && bv && a.loss !== b.loss) return sign * ((a.loss as number) - (b.loss as number));
    return compareBySubmission(a, b);
  });
  return sorted.map((r, i) => ({ ...r, rank: i + 1, valid: isValidLoss(r.loss) }));
}

/** A group's advancers: the top `advance` entrants with a valid result, best first. */
export function groupAdvancers(results: readonly TaskResult[], advance: number, direction: MetricDirection = 'lower'): string[] {
  return rankTask(results, direction)
    .filter((r) => r.valid)
    .slice(0, advance)
    .map((r) => r.entrantId);
}

/** A knockout pair's winner: the better valid result, or null when neither run is valid. */
export function pairWinner(results: readonly TaskResult[], direction: MetricDirection = 'lower'): string | null {
  if (results.length !== 2) throw new Error(`a knockout pair has 2 results, got ${results.length}`);
  const best = rankTask(results, direction)[0];
  return best.valid ? best.entrantId : null;
}

/** How an entrant left the tournament. */
export interface EliminationRecord {
  entrantId: string;
  submittedAt: number;
  /** 0-based index of the round the entrant was eliminated in. */
  roundIndex: number;
  /** Its rank on its group's or pair's task in that round (1 = best). */
  withinRoundRank: number;
  /** Whether its run in that round was valid. */
  valid: boolean;
}

export interface TournamentRankingInput {
  /**
   * The defending champion's entrant, or the configured baseline's (ranked like any champion: its
   * place keeps its rank share, which goes to the burn uid); null when no champion played.
   */
  champion: { id: string } | null;
  /** The challenger that played the boss round; null when no challenger reached it. */
  bossChallenger: string | null;
  /** The boss verdict; ignored when bossChallenger is null. */
  challengerWonBoss: boolean;
  /** Every other challenger, as eliminated in groups or knockout pairs. */
  eliminated: readonly EliminationRecord[];
}

export interface TournamentStanding {
  entrantId: string;
  /** 1-based, unique. */
  rank: number;
  isChampion: boolean;
  /** null for the boss round's two players. */
  eliminatedInRound: number | null;
}

/**
 * Final ranking. The boss round's two players come first (the verdict's winner at 1); then everyone else by elimination round (later = better), then a valid
 * run before a failed one, then within-round rank, then earlier submission, then id. Ranks among
 * entrants knocked out in the same round by different tasks are thus compared by position only,
 * since losses on different tasks are not comparable.
 */
export function tournamentRanking(input: TournamentRankingInput): TournamentStanding[] {
  const { champion, bossChallenger } = input;
  const top: { entrantId: string; isChampion: boolean }[] = [];
  const championEntry = champion === null ? [] : [{ entrantId: champion.id, isChampion: true }];
  if (bossChallenger === null) {
    top.push(...championEntry);
  } else if (input.challengerWonBoss) {
    top.push({ entrantId: bossChallenger, isChampion: false }, ...championEntry);
  } else {
    top.push(...championEntry, { entrantId: bossChallenger, isChampion: false });
  }

  const ids = new Set(top.map((t) => t.entrantId));
  for (const e of input.eliminated) {
    if (ids.has(e.entrantId) || e.entrantId === champion?.id) {
      throw new Error(`entrant ${e.entrantId} is ranked twice`);
    }
    ids.add(e.entrantId);
  }
  const rest = input.eliminated.slice().sort((a, b) => {
    if (a.roundIndex !== b.roundIndex) return b.roundIndex - a.roundIndex;
    if (a.valid !== b.valid) return a.valid ? -1 : 1;
    if (a.withinRoundRank !== b.withinRoundRank) return a.withinRoundRank - b.withinRoundRank;
    return compareBySubmission(a, b);
  });

  return [
    ...top.map((t, i) => ({ ...t, rank: i + 1, eliminatedInRound: null })),
    ...rest.map((e, i) => ({
      entrantId: e.entrantId,
      rank: top.length + i + 1,
      isChampion: false,
      eliminatedInRound: e.roundIndex,
    })),
  ];
}
