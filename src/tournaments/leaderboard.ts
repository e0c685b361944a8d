import type { StandingRow } from './standings.repository';

export interface LeaderboardEntry extends StandingRow {
  rank: number;
  stillIn: boolean;
}

/**
 * Orders a tournament's standings (pure): the final ranking once there is one; while it runs,
 * entrants still in first, then by how far they got, then by mean place over their scored tasks
 * (each task in its metric's direction, so a higher reward ranks first and a lower loss does), then
 * earlier submission.
 */
export function orderLeaderboard(rows: StandingRow[], finalRanking: string[] | null): LeaderboardEntry[] {
  const position = new Map((finalRanking ?? []).map((id, i) => [id, i]));
  const sorted = [...rows].sort((a, b) => {
    if (finalRanking) {
      const pa = position.get(a.entrantId) ?? Number.MAX_SAFE_INTEGER;
      const pb = position.get(b.entrantId) ?? Number.MAX_SAFE_INTEGER;
      if (pa !== pb) return pa - pb;
    }
    const ea = a.eliminatedInRound ?? Number.MAX_SAFE_INTEGER;
    const eb = b.eliminatedInRound ?? Number.MAX_SAFE_INTEGER;
    if (ea !== eb) return eb - ea;
    const ma = a.meanPlace ?? Number.POSITIVE_INFINITY;
    const mb = b.meanPlace ?? Number.POSITIVE_INFINITY;
    if (ma !== mb) return ma - mb;
    return a.receivedAt.getTime() - b.receivedAt.getTime() || a.entrantId.localeCompare(b.entrantId);
  });
  return sorted.map((row, i) => ({ ...row, rank: i + 1, stillIn: row.eliminatedInRound === null }));
}
