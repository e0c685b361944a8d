import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/domain-error';
import { orderLeaderboard } from './leaderboard';
import { StandingsRepository } from './standings.repository';
import { TournamentRepository } from './tournament.repository';

/** The leaderboard response body, serialised once per standings version, and its entity tag. */
export interface LeaderboardView {
  etag: string;
  json: string;
}

/** Bumped when the response's JSON shape changes, so no client keeps a body of the old shape. */
const VIEW_FORMAT = 2;
/** Tournaments whose view is kept (the most recently recomputed ones). */
const MAX_VIEWS = 64;
/** Mark rows above which a recompute folds them into one. */
const FOLD_ABOVE = 32;

/**
 * The live leaderboard as the API serves it. Triggers mark every change to what it shows in the
 * transaction of the change (migration StandingsMarks), so the standings are recomputed once per
 * recorded change, not per request: a request for unchanged standings costs one indexed read of
 * the version and is answered from memory, or with 304 when the client already has it.
 */
@Injectable()
export class LeaderboardService {
  private readonly views = new Map<string, { version: string; view: LeaderboardView }>();

  constructor(
    private readonly standings: StandingsRepository,
    private readonly tournaments: TournamentRepository,
  ) {}

  async view(tournamentId: string): Promise<LeaderboardView> {
    const { version, marks } = await this.standings.version(tournamentId);
    if (version === null) throw new NotFoundError('tournament', tournamentId);
    const kept = this.views.get(tournamentId);
    if (kept?.version === version) return kept.view;

    if (marks > FOLD_ABOVE) await this.standings.foldMarks(tournamentId);
    // Read after the version: the view is at least as new as the version it is kept under.
    const tournament = await this.tournaments.findById(tournamentId);
    if (!tournament) throw new NotFoundError('tournament', tournamentId);
    const entries = orderLeaderboard(await this.standings.standings(tournamentId), tournament.ranking);
    const view = { etag: `W/"standings-${VIEW_FORMAT}-${version}"`, json: JSON.stringify({ tournamentId: tournament.id, state: tournament.state, entries }) };
    this.views.delete(tournamentId);
    this.views.set(tournamentId, { version, view });
    if (this.views.size > MAX_VIEWS) this.views.delete(this.views.keys().next().value as string);
    return view;
  }
}
