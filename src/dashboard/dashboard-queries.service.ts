import { Injectable } from '@nestjs/common';
import { pairsEqual } from '../chain/weight-setter.service';
import { NotFoundError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { metricDirectionOf } from '../evaluation/task-types/metric-direction';
import { TournamentQueriesService } from '../tournaments/tournament-queries.service';
import { DashboardReadRepository, WeightSetRow } from './dashboard-read.repository';
import type { MinerView, RunView, TournamentBoard, WeightSetView } from './dashboard.types';

/** Read-only views the dashboard needs beyond the public routes (timeline, run context, miner, weight history). */
@Injectable()
export class DashboardQueriesService {
  constructor(
    private readonly reads: DashboardReadRepository,
    private readonly tournaments: TournamentQueriesService,
    private readonly config: AppConfig,
  ) {}

  async tournamentBoard(id: string): Promise<TournamentBoard> {
    const [events, rounds, runs, baselines, tasks] = await Promise.all([
      this.reads.tournamentEvents(id),
      this.reads.roundTimes(id),
      this.reads.boardRuns(id),
      this.reads.baselineScores(id),
      this.tournaments.tasks(id),
    ]);
    return {
      tournamentId: id,
      timeline: events.map((e) => ({ step: e.action.replace(/^tournament\./, ''), at: e.occurredAt.toISOString(), actor: e.actor, reason: e.reason })),
      rounds: rounds.map((r) => ({ roundId: r.roundId, index: r.index, kind: r.kind, startedAt: r.createdAt.toISOString(), decidedAt: r.decidedAt?.toISOString() ?? null })),
      runs: runs.map((r) => ({
        ...r,
        queuedAt: r.queuedAt.toISOString(),
        startedAt: r.startedAt?.toISOString() ?? null,
        finishedAt: r.finishedAt?.toISOString() ?? null,
      })),
      baselines,
      directions: Object.fromEntries(tasks.map((t) => [t.id, metricDirectionOf(t.taskType)])),
    };
  }

  async run(id: string): Promise<RunView> {
    const run = await this.tournaments.run(id);
    const ctx = await this.reads.runContext(id);
    if (!ctx) throw new NotFoundError('run', id);
    const attempts = await this.reads.attempts(run.taskId, run.entrantId);
    const history: RunView['history'] = [{ state: 'queued', at: run.queuedAt.toISOString(), note: `attempt ${run.attempt}` }];
    if (run.startedAt) history.push({ state: 'running', at: run.startedAt.toISOString(), note: run.runnerKind ? `sandbox: ${run.runnerKind}` : null });
    if (ctx.evaluatedAt) history.push({ state: 'evaluated', at: ctx.evaluatedAt.toISOString(), note: ctx.metricName ? `${ctx.metricName} ${ctx.metricValue}` : null });
    if (run.finishedAt) history.push({ state: 'finished', at: run.finishedAt.toISOString(), note: run.outcome });
    const s = this.config.sandbox;
    return {
      runId: run.id,
      hotkey: ctx.hotkey,
      repoUrl: ctx.repoUrl,
      commitSha: ctx.commitSha,
      round: { roundId: ctx.roundId, index: ctx.roundIndex, kind: ctx.roundKind, state: ctx.roundState },
      task: { taskType: ctx.taskType, datasetId: ctx.datasetId },
      history,
      limits: {
        wallSeconds: ctx.timeLimitSeconds,
        memoryMb: s.memoryMb,
        cpus: s.cpus,
        gpus: run.hardware === 'gpu' ? s.gpusPerRun : 0,
        pidsLimit: s.pidsLimit,
        outputMaxMb: s.outputMaxMb,
        scratchMb: s.scratchMb,
        logMaxKb: s.logMaxKb,
      },
      evaluation:
        ctx.metricName === null
          ? null
          : { metricName: ctx.metricName, metricValue: ctx.metricValue, accuracy: ctx.accuracy, exampleCount: ctx.exampleCount, modelSha256: ctx.modelSha256, evaluatorVersion: ctx.evaluatorVersion },
      attempts,
    };
  }

  async miner(hotkey: string): Promise<MinerView> {
    const [entries, sets] = await Promise.all([this.reads.minerEntries(hotkey, 200), this.reads.weightSets(200, hotkey)]);
    return {
      hotkey,
      entries: entries.map((e) => {
        const position = e.ranking?.indexOf(e.entrantId) ?? -1;
        return {
          entrantId: e.entrantId,
          tournamentId: e.tournamentId,
          type: e.type,
          cycle: e.cycle,
          tournamentState: e.tournamentState,
          status: e.status,
          rejectionReason: e.rejectionReason,
          isChampion: e.isChampion,
          won: e.winnerEntrantId === e.entrantId,
          finalRank: position >= 0 ? position + 1 : null,
          eliminatedInRound: e.eliminatedInRound,
          receivedAt: e.receivedAt.toISOString(),
          runsSucceeded: e.runsSucceeded,
          runsFailed: e.runsFailed,
          meanMetric: e.meanMetric,
        };
      }),
      weights: sets
        .filter((w) => w.hotkeyUid !== null)
        .map((w) => ({ weightSetId: w.id, epoch: w.epoch, at: w.createdAt.toISOString(), status: w.status, block: w.block, uid: w.hotkeyUid as number, weight: w.floats[String(w.hotkeyUid)] ?? 0 }))
        .reverse(),
    };
  }

  async weightSets(limit: number): Promise<WeightSetView[]> {
    return (await this.reads.weightSets(limit)).map(toWeightSetView);
  }
}

/** Whether the chain holds what was sent: the read-back pairs equal the sent (uid, u16) pairs. */
function readBackStatus(w: WeightSetRow): WeightSetView['readBack'] {
  if (!w.readBack) return 'not_read';
  return pairsEqual(w.readBack, w.uids, w.values) ? 'matches' : 'differs';
}

function toWeightSetView(w: WeightSetRow): WeightSetView {
  return {
    id: w.id,
    netuid: w.netuid,
    epoch: w.epoch,
    uids: w.uids,
    values: w.values,
    status: w.status,
    block: w.block,
    readBack: readBackStatus(w),
    error: w.error,
    tries: w.tries,
    createdAt: w.createdAt.toISOString(),
    settledAt: w.settledAt?.toISOString() ?? null,
    tournamentIds: w.tournamentIds ?? [],
  };
}
