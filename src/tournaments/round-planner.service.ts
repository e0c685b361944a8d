import { logCleanupFailure } from '../common/cleanup-failure';
import { Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { TaskDataService } from '../evaluation/task-data';
import { parseTaskType } from '../evaluation/task-types';
import { QueuedRun, RunRepository } from '../runs/run.repository';
import type { BossRoundPlan, GroupRoundPlan, KnockoutRoundPlan } from '../scoring/bracket';
import { RoundEntity } from './round.entity';
import { TournamentRepository } from './tournament.repository';
import type { TournamentEntity } from './tournament.entity';
import { roundTaskTypes, runPlacement } from '../scoring/task-type-draw';

export type PlayablePlan = GroupRoundPlan | KnockoutRoundPlan | BossRoundPlan;

/** Who plays a task: entrant ids (a virtual "no champion" never gets a run). */
interface TaskSlot {
  slot: number;
  members: string[];
}

/**
 * Turns a bracket plan into rows: the round, its tasks (seed and test-set commitments published
 * now, before any training) and one queued run per (task, entrant).
 */
@Injectable()
export class RoundPlannerService {
  private readonly logger = new Logger(RoundPlannerService.name);

  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly runs: RunRepository,
    private readonly taskData: TaskDataService,
  ) {}

  async createRound(t: TournamentEntity, plan: PlayablePlan, playable: (id: string) => boolean, now: Date): Promise<RoundEntity> {
    const { rulebook } = t;
    const round = await this.tournaments.insertRound(
      { tournamentId: t.id, index: plan.roundIndex, kind: plan.kind, state: 'running', stateReason: null, advancing: null, decision: { plan, startedAt: now.toISOString() }, decidedAt: null },
    );
    const slots = taskSlots(plan).map((s) => ({ ...s, members: s.members.filter(playable) }));
    const taskTypes = roundTaskTypes(rulebook, { tournamentId: t.id, tournamentType: t.type, kind: plan.kind, roundIndex: plan.roundIndex, tasks: slots.length });
    const { hardware, sandboxImage } = runPlacement(rulebook, t.type);

    const runs: QueuedRun[] = [];
    const prepared: string[] = [];
    try {
      for (const [i, slot] of slots.entries()) {
        const taskType = parseTaskType(taskTypes[i], `tournament ${t.id} (${t.type}) rulebook`);
        const catalog = rulebook.taskCatalog[taskType];
        const datasetId = catalog.datasets[(plan.roundIndex + i) % catalog.datasets.length];
        const taskId = randomUUID();
        const secretSeed = randomBytes(16).toString('hex');
        prepared.push(taskId);
        const data = await this.taskData.prepare({ taskId, taskType, datasetId, seed: secretSeed });
        const timeLimitSeconds = rulebook.timeLimitsSeconds[plan.kind];
        await this.tournaments.insertTask(
          {
            id: taskId,
            tournamentId: t.id,
            roundId: round.id,
            slot: slot.slot,
            taskType,
            datasetId,
            baseModel: catalog.baseModels[0],
            timeLimitSeconds,
            hardware,
            seedCommitment: data.seedCommitment,
            testSetCommitment: data.testSetCommitment,
            secretSeed,
            revealedSeed: null,
            trainDir: data.trainDir,
            // The sandbox's /task/task.json: public facts only (the split seed stays secret).
            spec: {
              type: taskType,
              taskId,
              datasetId,
              baseModel: catalog.baseModels[0],
              timeLimitSeconds,
              hardware,
              sandboxImage,
              // The task type's constants from the rulebook (e.g. DPO beta), the same ones its evaluator uses.
              params: rulebook.taskTypes?.[taskType] ?? {},
              // A public seed for training randomness; unrelated to the secret split seed.
              seed: randomBytes(4).readUInt32BE(0),
              ...data.specHints,
            },
          },
        );
        for (const entrantId of slot.members) {
          runs.push({ tournamentId: t.id, taskId, entrantId, attempt: 1, hardware, queuedAt: now });
        }
      }
      await this.runs.queueAll(runs);
    } catch (error) {
      // The transaction rolls back: its tasks' split files must not stay behind either.
      await this.taskData.discard(prepared).catch(logCleanupFailure(this.logger, 'discarding the task data of a round not created', { tournamentId: t.id, tasks: prepared.length }));
      throw error;
    }
    this.logger.log({ tournamentId: t.id, round: plan.roundIndex, kind: plan.kind, tasks: slots.length, runs: runs.length }, 'round created');
    return round;
  }
}

export function taskSlots(plan: PlayablePlan): TaskSlot[] {
  switch (plan.kind) {
    case 'group':
      return plan.groups.map((g) => ({ slot: g.slot, members: [...g.entrants] }));
    case 'knockout':
      return plan.pairs.map((p) => ({ slot: p.slot, members: [...p.entrants] }));
    case 'boss':
      return Array.from({ length: plan.tasks }, (_, i) => ({ slot: i, members: [plan.challenger, plan.champion] }));
  }
}
