import type { WeightBasis } from '../scoring/tournament-evidence';
import type { EntrantEntity } from '../submissions/entrant.entity';
import type { TournamentEntity } from './tournament.entity';

/**
 * What the engine needs from the outside world at the end of a tournament. The chain and GitHub
 * adapters implement these; without configuration the "unconfigured" ones record that nothing was
 * sent, so a tournament still completes and says why.
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

export interface WeightSubmission {
  status: string;
  detail: string;
  block: number | null;
  /** The u16 vector as emitted. */
  uids: number[];
  values: number[];
}

export abstract class WeightSink {
  /** Sends (or records, in dry-run) the float weight vector made from `basis`; conversion to u16 happens inside. */
  abstract submit(uids: number[], weights: number[], basis: WeightBasis): Promise<WeightSubmission>;
}
