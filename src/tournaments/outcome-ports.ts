import type { EntrantEntity } from '../submissions/entrant.entity';
import type { TournamentEntity } from './tournament.entity';

/**
 * What the engine needs from the outside world at the end of a tournament besides weights (chain's
 * WeightSink): the GitHub adapter implements it; without configuration the "unconfigured" one records
 * that nothing was published, so a tournament still completes and says why.
 */
export interface PublicationRecord {
  status: 'published' | 'skipped';
  detail: string;
  repoUrl?: string;
  tag?: string;
  commitSha?: string;
}

export abstract class WinnerPublisher {
  abstract publish(tournament: TournamentEntity, winner: EntrantEntity, report: string): Promise<PublicationRecord>;
}

export class UnconfiguredWinnerPublisher extends WinnerPublisher {
  async publish(): Promise<PublicationRecord> {
    return { status: 'skipped', detail: 'no GitHub org configured (CRUCIBLE_GITHUB_ORG)' };
  }
}
