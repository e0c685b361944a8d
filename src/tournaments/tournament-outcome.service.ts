import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { pausePoint } from '../common/pause-point';
import { AppConfig } from '../config/app-config';
import { EngineDeps } from './engine-deps';
import { WeightSink, WinnerPublisher } from './outcome-ports';
import type { TournamentState } from './tournament-state';
import type { TournamentEntity } from './tournament.entity';
import type { TournamentRulebook } from '../scoring/tournament-rulebook';
import { TournamentFactory } from './tournament.factory';
import { BASELINE_HOTKEY } from '../scoring/tournament-evidence';
import { WeightsPreviewService } from './weights-preview.service';

/**
 * The tournament's effects on the world: publishing the winner, setting weights, scheduling the
 * next cycle. Each outside call is idempotent, made outside the row lock, then recorded under it.
 */
@Injectable()
export class TournamentOutcomeService {
  private readonly logger = new Logger(TournamentOutcomeService.name);
  readonly infraBackoffMs: number;

  constructor(
    private readonly deps: EngineDeps,
    private readonly publisher: WinnerPublisher,
    private readonly weights: WeightSink,
    private readonly preview: WeightsPreviewService,
    private readonly factory: TournamentFactory,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.infraBackoffMs = config.tournaments.infraBackoffSeconds * 1000;
  }

  async publish(id: string): Promise<boolean> {
    const t = await this.deps.tournaments.findById(id);
    if (!t || t.state !== 'finalised') return false;
    const winner = t.winnerEntrantId ? await this.deps.entrants.findById(t.winnerEntrantId) : null;
    const record =
      !winner || winner.hotkey === BASELINE_HOTKEY
        ? { status: 'skipped' as const, detail: 'no miner won the title (the baseline champion kept it)' }
        : await this.publisher.publish(t, winner, await this.report(t));
    return this.recordUnderLock(id, 'finalised', async (locked, m) => {
      locked.publication = { ...record };
      await this.deps.transitions.move(locked, 'published', `winner publication: ${record.status} (${record.detail})`, m, { publication: record });
    });
  }

  async setWeights(id: string): Promise<boolean> {
    const t = await this.deps.tournaments.findById(id);
    if (!t || t.state !== 'published') return false;
    const { vector, basis } = await this.preview.preview();
    const submission = vector.uids.length
      ? await this.weights.submit(vector.uids, vector.weights, basis)
      : { status: 'skipped', detail: 'no weights to set', block: null, uids: [], values: [] };
    pausePoint('weights-made');
    return this.recordUnderLock(id, 'published', async (locked, m) => {
      await this.deps.transitions.move(locked, 'weights_set', `weights ${submission.status}: ${submission.detail}`, m, {
        weights: { uids: vector.uids, floats: vector.weights, u16: { uids: submission.uids, values: submission.values }, block: submission.block, status: submission.status },
      });
    });
  }

  async scheduleNextCycle(t: TournamentEntity, m: EntityManager): Promise<void> {
    if (!this.config.tournaments.autoSchedule) return;
    const rulebook = t.rulebook as unknown as TournamentRulebook;
    const opensAt = new Date(this.clock.now().getTime() + rulebook.schedule.gapHours * 3600_000);
    const next = await this.factory.createNextCycle({ type: t.type, opensAt }, m);
    this.logger.log({ tournamentId: next.id, type: next.type, cycle: next.cycle, opensAt }, 'next cycle scheduled');
  }

  private async recordUnderLock(id: string, expected: TournamentState, record: (t: TournamentEntity, m: EntityManager) => Promise<void>): Promise<boolean> {
    return this.deps.ds.transaction(async (m) => {
      const locked = await this.deps.tournaments.lockForUpdate(id, m);
      if (!locked || locked.state !== expected) return false;
      await record(locked, m);
      return true;
    });
  }

  private async report(t: TournamentEntity): Promise<string> {
    const rounds = await this.deps.tournaments.rounds(t.id);
    const tasks = await this.deps.tournaments.tasks(t.id);
    const lines = [
      `# ${t.type} tournament, cycle ${t.cycle}`,
      '',
      `Tournament id: ${t.id}`,
      `Rulebook version: ${t.rulebookVersion}`,
      '',
      '## Rounds',
      ...rounds.map((r) => `- round ${r.index} (${r.kind}): advancing ${JSON.stringify(r.advancing ?? [])}`),
      '',
      '## Tasks (seed and test-set commitments)',
      ...tasks.map((x) => `- ${x.id} ${x.taskType} ${x.datasetId}: seed sha256 ${x.seedCommitment}, test set sha256 ${x.testSetCommitment}`),
    ];
    return lines.join('\n') + '\n';
  }
}
