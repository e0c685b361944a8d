import { Injectable, Logger } from '@nestjs/common';
import { TaskDataService } from '../../evaluation/task-data';
import { metricDirectionOf } from '../../evaluation/task-types/metric-direction';
import { BossTaskInput, decideBoss } from '../../scoring/boss-gate';
import { decideRound, planNextRound, RoundPlan } from '../../scoring/bracket';
import { CopyCandidate, findCopies } from '../../scoring/copies';
import { NO_CHAMPION } from '../../scoring/tournament-evidence';
import { EntrantRepository } from '../../submissions/entrant.repository';
import { roundPlan } from '../round-decision';
import { FinalResult, RoundProgress, slotResults } from '../round-results';
import type { RoundEntity } from '../round.entity';
import type { TaskEntity } from '../task.entity';
import type { TournamentEntity } from '../tournament.entity';
import { BracketContexts } from './bracket-contexts';
import { FinaliseAtOverrun } from './finalise-at-overrun';
import { PlayNextRound } from './play-next-round';
import { RecordRoundDecision } from './record-round-decision';

/** When the round is decided and why some of its runs may have no result. */
export interface DecisionTiming {
  now: Date;
  deadlineAt: Date;
  /** The tournament's time budget (endsBy) passed. */
  overrun: boolean;
  maxInfraRetriesTotal: number;
}

/**
 * A round whose runs all ended: copies lose their results, the boss gate or the bracket decides who
 * advances, the decision is recorded, then the next round is planned (or the tournament finalised).
 */
@Injectable()
export class DecideRound {
  private readonly logger = new Logger(DecideRound.name);

  constructor(
    private readonly entrants: EntrantRepository,
    private readonly contexts: BracketContexts,
    private readonly taskData: TaskDataService,
    private readonly record: RecordRoundDecision,
    private readonly playNext: PlayNextRound,
    private readonly finaliseAtOverrun: FinaliseAtOverrun,
  ) {}

  async run(t: TournamentEntity, round: RoundEntity, tasks: TaskEntity[], progress: Extract<RoundProgress, { status: 'complete' }>, timing: DecisionTiming): Promise<boolean> {
    const { now, deadlineAt, overrun } = timing;
    const ctx = await this.contexts.of(t);
    const plan = roundPlan(round);
    const entrants = await this.entrants.accepted(t.id);
    const receivedAt = new Map(entrants.map((e) => [e.id, e.receivedAt.getTime()]));
    const submittedAt = (id: string) => receivedAt.get(id) ?? Number.MAX_SAFE_INTEGER;
    const resultsOf = (taskId: string) => progress.results.get(taskId) ?? [];
    const { rulebook } = t;
    if (rulebook.copyRule) {
      // Copies lose their result on the task before anything is decided (scoring/copies.ts).
      const copies = findCopies(await this.copyCandidates(progress.results, submittedAt), rulebook.copyRule);
      for (const c of copies) {
        const r = resultsOf(c.taskId).find((x) => x.entrantId === c.entrantId);
        if (r) Object.assign(r, { loss: null, lossesPath: null });
      }
      if (copies.length > 0) this.logger.warn({ tournamentId: t.id, round: round.index, copies }, 'copies found: their results do not count');
      round.decision = { ...round.decision, copies };
    }

    let next: RoundPlan;
    if (plan.kind === 'boss') {
      const inputs: BossTaskInput[] = [];
      for (const task of tasks) {
        const side = async (id: string) => {
          const r = resultsOf(task.id).find((x) => x.entrantId === id);
          return { loss: r?.loss ?? null, perExample: r?.lossesPath && r.loss !== null ? await this.taskData.readLosses(r.lossesPath) : null };
        };
        inputs.push({ taskId: task.id, direction: metricDirectionOf(task.taskType), champion: await side(plan.champion), challenger: await side(plan.challenger) });
      }
      const verdict = decideBoss({ rules: rulebook, championDefences: t.defendingChampion?.defences ?? 0, tasks: inputs });
      round.decision = { ...round.decision, plan, verdict };
      round.advancing = verdict.challengerWins ? [plan.challenger] : [];
      next = planNextRound(ctx, plan, { challengerWon: verdict.challengerWins });
    } else {
      const slots = plan.kind === 'group' ? plan.groups.map((g) => g.entrants) : plan.pairs.map((p) => [...p.entrants]);
      const bySlot = new Map(tasks.map((task) => [task.slot, task]));
      const results = slots.map((members, slot) => slotResults(members, resultsOf(bySlot.get(slot)?.id ?? ''), submittedAt));
      const directions = slots.map((_, slot) => {
        const task = bySlot.get(slot);
        return task ? metricDirectionOf(task.taskType) : 'lower';
      });
      const decision = decideRound(plan, results, directions);
      round.decision = { ...round.decision, plan, advancing: decision.advancing, eliminated: decision.eliminated };
      round.advancing = decision.advancing;
      await this.entrants.markEliminated(decision.eliminated.map((e) => e.entrantId), round.index);
      next = planNextRound(ctx, plan, decision);
    }
    const why =
      now >= deadlineAt
        ? `the round deadline ${deadlineAt.toISOString()} passed`
        : overrun
          ? `the tournament's time budget (endsBy ${t.endsBy.toISOString()}) passed`
          : `infra retries exhausted (${timing.maxInfraRetriesTotal} in total per run)`;
    await this.record.run(t, round, { up: progress.givenUp, why }, now);
    if (overrun && next.kind !== 'done' && !(next.kind === 'boss' && ctx.champion === NO_CHAMPION)) await this.finaliseAtOverrun.run(t, ctx, next, round.index + 1);
    else await this.playNext.run(t, ctx, next);
    return true;
  }

  private async copyCandidates(results: Map<string, FinalResult[]>, submittedAt: (id: string) => number): Promise<CopyCandidate[]> {
    const out: CopyCandidate[] = [];
    for (const [taskId, list] of results) {
      for (const r of list) {
        if (r.loss === null) continue;
        out.push({ taskId, entrantId: r.entrantId, submittedAt: submittedAt(r.entrantId), modelSha256: r.modelSha256, metricValue: r.loss, losses: r.lossesPath ? await this.taskData.readLosses(r.lossesPath) : null });
      }
    }
    return out;
  }
}
