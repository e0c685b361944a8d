import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../common/audit-log';
import { Clock } from '../../common/clock';
import { RunRepository } from '../../runs/run.repository';
import { roundPlan } from '../round-decision';
import type { RoundEntity } from '../round.entity';
import type { TournamentEntity } from '../tournament.entity';
import { TournamentRepository } from '../tournament.repository';
import { BracketContexts } from './bracket-contexts';
import { FinaliseAtOverrun } from './finalise-at-overrun';

/** Overrun rule 4: a boss round that cannot finish by `endsBy` is closed undecided; the champion defends. */
@Injectable()
export class StopBossAtOverrun {
  constructor(
    private readonly runs: RunRepository,
    private readonly tournaments: TournamentRepository,
    private readonly audit: AuditLog,
    private readonly contexts: BracketContexts,
    private readonly finaliseAtOverrun: FinaliseAtOverrun,
    private readonly clock: Clock,
  ) {}

  async run(t: TournamentEntity, round: RoundEntity, taskIds: string[]): Promise<boolean> {
    const now = this.clock.now();
    const plan = roundPlan(round);
    const closed = await this.runs.closeUnfinished(taskIds, `the tournament's time budget passed (endsBy ${t.endsBy.toISOString()}): the boss round is not decided`, now);
    round.decision = { ...round.decision, plan, eliminated: [], overrun: { closedRuns: closed.map((r) => r.id) } };
    round.advancing = [];
    await this.tournaments.markRoundDecided(round, now);
    await this.audit.append(
      { actor: 'system', action: 'round.decided', subjectType: 'round', subjectId: round.id, payload: { tournamentId: t.id, index: round.index, kind: round.kind, decision: round.decision }, occurredAt: now },
    );
    await this.finaliseAtOverrun.run(t, await this.contexts.of(t), plan, round.index);
    return true;
  }
}
