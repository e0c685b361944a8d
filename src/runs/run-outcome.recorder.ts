import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../common/audit-log';
import { Clock } from '../common/clock';
import { Transactor } from '../common/transactor';
import { AppConfig } from '../config/app-config';
import type { ModelScore, RejectionEvidence } from '../evaluation/task-data';
import { readRunLog } from './run-log-file';
import { chargesMinerAttempt, RunOutcome } from './run-state';
import { RunFields, RunRepository } from './run.repository';
import { ScoreRepository } from './score.repository';
import type { TrainingRunEntity } from './training-run.entity';

export interface RunEnd {
  outcome: RunOutcome;
  reason: string;
  exitCode: number | null;
  imageDigest: string | null;
  logPath: string | null;
  artifactPath: string | null;
  /** Facts behind an evaluation's rejection (sealed with the run). */
  evidence?: RejectionEvidence | null;
}

/**
 * Writes what happened to a run, and decides the retry in the same transaction: infra failures are
 * re-queued for free (up to a cap), miner failures only while the attempt budget lasts.
 */
@Injectable()
export class RunOutcomeRecorder {
  private readonly logger = new Logger(RunOutcomeRecorder.name);

  constructor(
    private readonly tx: Transactor,
    private readonly runs: RunRepository,
    private readonly scores: ScoreRepository,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async started(runId: string, runnerKind: string, runnerRef: string): Promise<void> {
    await this.whileOpen(runId, (current) => this.runs.markStarted(current, runnerKind, runnerRef));
  }

  /** Training produced a model: keep where it is before evaluating, so a restart can resume there. */
  async trained(run: TrainingRunEntity, end: RunEnd): Promise<void> {
    const log = await this.logOf(end);
    await this.whileOpen(run.id, async (current) => {
      await this.runs.markTrained(current, { artifactPath: end.artifactPath, exitCode: end.exitCode, imageDigest: end.imageDigest, logPath: end.logPath, ...log });
      Object.assign(run, current);
    });
  }

  /** `attemptBudget`: miner-caused failures allowed for this (task, entrant), from the rulebook. */
  async finish(run: TrainingRunEntity, end: RunEnd, score: ModelScore | null, attemptBudget: number): Promise<void> {
    const now = this.clock.now();
    const log = await this.logOf(end);
    const recorded = await this.whileOpen(run.id, async (current) => {
      // Only what this step knows: facts recorded earlier (runner, image, log) stay unless it has newer ones.
      await this.runs.markFinished(current, {
        outcome: end.outcome,
        outcomeReason: end.reason,
        exitCode: end.exitCode,
        ...(end.imageDigest ? { imageDigest: end.imageDigest } : {}),
        ...(end.logPath ? { logPath: end.logPath, ...log } : {}),
        ...(end.artifactPath ? { artifactPath: end.artifactPath } : {}),
        artifactSha256: score?.modelSha256 ?? null,
        evidence: end.evidence ?? null,
        finishedAt: now,
      });
      Object.assign(run, current);
      if (score) await this.scores.record(run.taskId, run.id, score);
      const retry = await this.retryDecision(run, attemptBudget);
      if (retry) {
        await this.runs.queueAttempt({ tournamentId: run.tournamentId, taskId: run.taskId, entrantId: run.entrantId, attempt: run.attempt + 1, hardware: run.hardware, queuedAt: now });
      }
      await this.audit.append({
        actor: `worker:${this.config.workerId}`,
        action: 'run.finished',
        subjectType: 'run',
        subjectId: run.id,
        payload: { outcome: end.outcome, reason: end.reason, attempt: run.attempt, retry, metric: score?.metricValue ?? null, artifactSha256: score?.modelSha256 ?? null, evidence: end.evidence ?? null },
        occurredAt: now,
      });
    });
    if (!recorded) return;
    this.logger.log({ tournamentId: run.tournamentId, runId: run.id, taskId: run.taskId, entrantId: run.entrantId, outcome: end.outcome, metric: score?.metricValue }, 'run finished');
  }

  /** The log the sandbox left, stored with the run (the worker's file is not reachable from the API). */
  private async logOf(end: RunEnd): Promise<Pick<RunFields, 'log'>> {
    if (!end.logPath) return {};
    const log = await readRunLog(end.logPath, this.config.sandbox.logMaxKb * 1024);
    return log === null ? {} : { log };
  }

  /**
   * Runs `fn` with the run's row locked, unless the run is already finished (its round's deadline
   * closed it while this worker was busy): then the late result is dropped. Returns whether it ran.
   */
  private whileOpen(runId: string, fn: (current: TrainingRunEntity) => Promise<void>): Promise<boolean> {
    return this.tx.run(async () => {
      const current = await this.runs.lockById(runId);
      if (!current) return false;
      if (current.state === 'finished') {
        this.logger.warn({ runId, outcome: current.outcome, reason: current.outcomeReason }, 'run already closed; its late result is not recorded');
        return false;
      }
      await fn(current);
      return true;
    });
  }

  private async retryDecision(run: TrainingRunEntity, attemptBudget: number): Promise<boolean> {
    if (run.outcome === 'succeeded') return false;
    const history = (await this.runs.ofTask(run.taskId)).filter((r) => r.entrantId === run.entrantId && r.state === 'finished');
    if (run.outcome === 'infra_failed') {
      let streak = 0;
      for (const r of [...history].reverse()) {
        if (r.outcome !== 'infra_failed') break;
        streak++;
      }
      // The total bounds the run whatever the cause: a failure that keeps coming back never loops forever.
      const total = history.filter((r) => r.outcome === 'infra_failed').length;
      const { maxInfraRetries, maxInfraRetriesTotal } = this.config.tournaments;
      return streak <= maxInfraRetries && total <= maxInfraRetriesTotal;
    }
    const charged = history.filter((r) => r.outcome && chargesMinerAttempt(r.outcome)).length;
    return charged < attemptBudget;
  }
}
