import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../common/audit-log';
import { Clock } from '../../common/clock';
import { planFirstRound } from '../../scoring/bracket';
import { EntrantRepository } from '../../submissions/entrant.repository';
import type { TournamentEntity } from '../tournament.entity';
import { BracketContexts } from './bracket-contexts';
import { PlayNextRound } from './play-next-round';

/** Registration closed: the defending champion joins as an entrant and the first round is planned. */
@Injectable()
export class StartTournament {
  constructor(
    private readonly entrants: EntrantRepository,
    private readonly contexts: BracketContexts,
    private readonly audit: AuditLog,
    private readonly playNext: PlayNextRound,
    private readonly clock: Clock,
  ) {}

  /** Whether the step has anything to do now; the scheduler asks before taking the tournament's lock. */
  due(t: TournamentEntity): boolean {
    return this.clock.now() >= t.registrationClosesAt;
  }

  async run(t: TournamentEntity): Promise<boolean> {
    const now = this.clock.now();
    if (now < t.registrationClosesAt) return false;
    t.startedAt = now;
    if (t.defendingChampion) {
      const c = t.defendingChampion;
      await this.entrants.insert(
        {
          tournamentId: t.id,
          hotkey: c.hotkey,
          coldkey: null,
          uid: null,
          repoUrl: c.repoUrl,
          commitSha: c.commitSha,
          treeHash: null,
          signature: `champion:${c.sourceEntrantId ?? 'baseline'}`,
          status: 'accepted',
          rejectionReason: null,
          isChampion: true,
          receivedAt: new Date(c.receivedAt),
        },
      );
    }
    const ctx = await this.contexts.of(t);
    await this.audit.append(
      { actor: 'system', action: 'tournament.registration_closed', subjectType: 'tournament', subjectId: t.id, payload: { entrants: ctx.entrants, champion: ctx.champion }, occurredAt: now },
    );
    await this.playNext.run(t, ctx, planFirstRound(ctx));
    return true;
  }
}
