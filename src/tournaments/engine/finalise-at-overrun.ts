import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../../common/audit-log';
import { Clock } from '../../common/clock';
import type { BracketContext } from '../../scoring/bracket';
import { overrunReason } from '../../scoring/overrun';
import type { PlayablePlan } from '../round-planner.service';
import type { TournamentEntity } from '../tournament.entity';
import { FinaliseTournament } from './finalise-tournament';

/** The overrun rule at endsBy: records the marker (sealed with the tournament, replayed by deriveTournament) and finalises; the champion holds the title. */
@Injectable()
export class FinaliseAtOverrun {
  private readonly logger = new Logger(FinaliseAtOverrun.name);

  constructor(
    private readonly audit: AuditLog,
    private readonly finalise: FinaliseTournament,
    private readonly clock: Clock,
  ) {}

  async run(t: TournamentEntity, ctx: BracketContext, plan: PlayablePlan, decidedRounds: number): Promise<void> {
    const now = this.clock.now();
    const reason = overrunReason(t.endsBy, plan);
    t.overrun = { endsBy: t.endsBy.toISOString(), at: now.toISOString(), decidedRounds, reason };
    await this.audit.append({ actor: 'system', action: 'tournament.overrun', subjectType: 'tournament', subjectId: t.id, payload: { ...t.overrun }, occurredAt: now });
    this.logger.warn({ tournamentId: t.id, endsBy: t.endsBy.toISOString(), decidedRounds }, reason);
    await this.finalise.run(t, ctx, ctx.champion, reason);
  }
}
