import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import { RunRepository } from '../../runs/run.repository';
import { ScoreRepository } from '../../runs/score.repository';
import { roundProgress } from '../round-results';
import type { RoundEntity } from '../round.entity';
import type { TournamentEntity } from '../tournament.entity';
import { TournamentRepository } from '../tournament.repository';
import { DecideRound } from './decide-round';
import { StopBossAtOverrun } from './stop-boss-at-overrun';

/**
 * The current round while it trains: reports how far it is, re-queues runs that failed for
 * infrastructure reasons after a backoff, closes it at its deadline or the tournament's endsBy,
 * and hands a finished round to DecideRound.
 */
@Injectable()
export class ProgressRound {
  private readonly logger = new Logger(ProgressRound.name);

  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly runs: RunRepository,
    private readonly scores: ScoreRepository,
    private readonly decide: DecideRound,
    private readonly stopBoss: StopBossAtOverrun,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async run(t: TournamentEntity): Promise<boolean> {
    const rounds = await this.tournaments.rounds(t.id);
    const round = rounds[rounds.length - 1];
    if (!round) throw new Error(`tournament ${t.id} is in ${t.state} without a round`);
    const tasks = await this.tournaments.tasksOfRound(round.id);
    const runs = await this.runs.ofRound(tasks.map((x) => x.id));
    const evaluations = await this.scores.ofTasks(tasks.map((x) => x.id));
    const now = this.clock.now();
    const limits = this.config.tournaments;
    const deadlineAt = this.roundDeadline(t, round);
    // The tournament's time budget passed: the overrun rule (scoring/overrun.ts) ends it now.
    const overrun = now >= t.endsBy;
    let progress = roundProgress(tasks, runs, evaluations, { maxInfraFailures: limits.maxInfraRetriesTotal + 1, deadlinePassed: now >= deadlineAt });
    if (overrun && round.kind === 'boss' && progress.status !== 'complete') return this.stopBoss.run(t, round, tasks.map((x) => x.id));
    const deadlinePassed = now >= deadlineAt || overrun;
    if (deadlinePassed && progress.status !== 'complete') {
      const why = now >= deadlineAt ? `round ${round.index} deadline passed (${deadlineAt.toISOString()})` : `the tournament's time budget passed (endsBy ${t.endsBy.toISOString()})`;
      const reason = `${why}: decided with the results it has; this run has no result on its task`;
      const closed = await this.runs.closeUnfinished(tasks.map((x) => x.id), reason, now);
      progress = roundProgress(tasks, await this.runs.ofRound(tasks.map((x) => x.id)), evaluations, { maxInfraFailures: limits.maxInfraRetriesTotal + 1, deadlinePassed });
      round.decision = { ...round.decision, deadline: { at: (now >= deadlineAt ? deadlineAt : t.endsBy).toISOString(), closedRuns: closed.map((r) => r.id) } };
    }

    if (progress.status === 'running') {
      return this.setRoundReason(t, round, 'running', `round ${round.index} (${round.kind}): ${progress.finished} of ${progress.finished + progress.pending} runs finished`);
    }
    if (progress.status === 'waiting_infra') {
      const reason = `round ${round.index} waits: ${progress.stuck.length} run(s) failed for infrastructure reasons and will be retried; it is not decided on partial data`;
      const since = round.decision?.waitingSince ?? now.toISOString();
      if (now.getTime() - Date.parse(since) >= limits.infraBackoffSeconds * 1000) {
        for (const s of progress.stuck) {
          await this.runs.queueAttempt({ tournamentId: t.id, taskId: s.taskId, entrantId: s.entrantId, attempt: s.attempt + 1, hardware: s.hardware, queuedAt: now });
        }
        round.decision = { ...round.decision, waitingSince: undefined };
        this.logger.warn({ tournamentId: t.id, round: round.index, runs: progress.stuck.length }, 're-queued runs after infrastructure failures');
        return this.setRoundReason(t, round, 'running', `round ${round.index}: re-queued ${progress.stuck.length} run(s) after infrastructure failures`);
      }
      round.decision = { ...round.decision, waitingSince: since };
      return this.setRoundReason(t, round, 'waiting_infra', reason);
    }
    return this.decide.run(t, round, tasks, progress, { now, deadlineAt, overrun, maxInfraRetriesTotal: limits.maxInfraRetriesTotal });
  }

  /**
   * When a round is decided with whatever it has: from its start (kept in its decision record) plus the
   * rulebook's round deadline; the configured one for rulebooks stored before the schedule carried it.
   */
  private roundDeadline(t: TournamentEntity, round: RoundEntity): Date {
    const startedAt = typeof round.decision?.startedAt === 'string' ? Date.parse(round.decision.startedAt) : round.createdAt.getTime();
    const minutes = t.rulebook.schedule.roundDeadlineMinutes ?? this.config.tournaments.roundDeadlineMinutes;
    return new Date(startedAt + minutes * 60_000);
  }

  private async setRoundReason(t: TournamentEntity, round: RoundEntity, state: RoundEntity['state'], reason: string): Promise<boolean> {
    if (round.state === state && round.stateReason === reason && t.stateReason === reason) return false;
    round.state = state;
    round.stateReason = reason;
    await this.tournaments.recordRoundProgress(round);
    await this.tournaments.setStateReason(t, reason);
    // A reason change is bookkeeping, not progress: the caller need not step again.
    return false;
  }
}
