import { Injectable } from '@nestjs/common';
import type { EntrantEntity } from '../submissions/entrant.entity';
import { PublicationRecord, WinnerPublisher } from '../tournaments/outcome-ports';
import type { TournamentEntity } from '../tournaments/tournament.entity';
import { Publisher } from './publisher';

/** Names of what gets published for a tournament: one repo per tournament winner, a tag per tournament. */
export function publicationNames(t: Pick<TournamentEntity, 'type' | 'cycle'>): { targetRepo: string; tag: string } {
  const slug = t.type.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return { targetRepo: `${slug}-cycle-${t.cycle}-winner`, tag: `${slug}-cycle-${t.cycle}` };
}

/** The engine's WinnerPublisher port, backed by the Publisher (git + GitHub). */
@Injectable()
export class PublishingWinnerPublisher extends WinnerPublisher {
  constructor(private readonly publisher: Publisher) {
    super();
  }

  async publish(tournament: TournamentEntity, winner: EntrantEntity, report: string): Promise<PublicationRecord> {
    const names = publicationNames(tournament);
    const r = await this.publisher.publish({
      sourceRepoUrl: winner.repoUrl,
      commitSha: winner.commitSha,
      targetRepo: names.targetRepo,
      tag: names.tag,
      resultsMarkdown: report,
      at: tournament.finishedAt ?? tournament.createdAt,
    });
    return {
      status: 'published',
      detail: r.changed ? `pushed to ${r.repoUrl} (results commit ${r.resultsCommitSha})` : `already published at ${r.repoUrl}`,
      repoUrl: r.repoUrl,
      tag: r.tag,
      commitSha: r.commitSha,
    };
  }
}
