import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { forgetPendingPause, pauseAfterCommit, pauseIfCommitted } from '../common/pause-point';
import { TaskDataService, TaskType } from '../evaluation/task-data';
import { metricDirectionOf } from '../evaluation/task-types/metric-direction';
import { decideBoss, BossTaskInput } from '../scoring/boss-gate';
import { CopyCandidate, findCopies } from '../scoring/copies';
import { NO_CHAMPION } from '../scoring/tournament-evidence';
import { overrunReason } from '../scoring/overrun';
import { BracketContext, decideRound, planFirstRound, planNextRound, RoundPlan } from '../scoring/bracket';
import { PlayablePlan, RoundPlannerService } from './round-planner.service';
import { FinalResult, roundProgress, slotResults } from './round-results';
import type { RoundEntity } from './round.entity';
import type { TournamentState } from './tournament-state';
import type { TournamentEntity } from './tournament.entity';
import { EngineDeps } from './engine-deps';
import { TournamentEvidenceService } from './tournament-evidence.service';
import { TournamentOutcomeService } from './tournament-outcome.service';
import type { TournamentRulebook } from '../scoring/tournament-rulebook';

/**
 * Moves tournaments through their lifecycle, one idempotent step per call. Every step runs in a
 * transaction that holds the tournament's row lock (SKIP LOCKED: a second worker skips it), so
 * two workers never decide the same round twice. Slow outside calls (publishing, chain) run
 * outside the lock against idempotent adapters, then the result is recorded under the lock.
 */
@Injectable()
export class TournamentEngineService {
  private readonly logger = new Logger(TournamentEngineService.name);

  constructor(
    private readonly deps: EngineDeps,
    private readonly planner: RoundPlannerService,
    private readonly taskData: TaskDataService,
    private readonly outcome: TournamentOutcomeService,
    private readonly evidence: TournamentEvidenceService,
    private readonly clock: Clock,
  ) {}

  /** Advances every active tournament; returns the hardware classes their runs need. */
  async advanceAll(): Promise<string[]> {
    const hardware = new Set<string>();
    for (const id of await this.deps.tournaments.activeIds()) {
      await this.advance(id);
      const t = await this.deps.tournaments.findById(id);
      if (!t) continue;
      hardware.add((t.rulebook as unknown as TournamentRulebook).hardware);
      if (t.state === 'rounds' || t.state === 'boss_round') await this.ensureBaselines(id);
    }
    return [...hardware];
  }

  /** Advances one tournament as far as it can go now; returns whether anything changed. */
  async advance(id: string): Promise<boolean> {
    let changed = false;
    for (let step = 0; step < 10; step++) {
      const state = await this.stepOnce(id);
      if (!state) break;
      changed = true;
    }
    return changed;
  }

  private async stepOnce(id: string): Promise<boolean> {
    const peek = await this.deps.tournaments.findById(id);
    if (!peek) return false;
    switch (peek.state) {
      case 'finalised':
        return this.outcome.publish(id);
      case 'published':
        return this.outcome.setWeights(id);
      default:
        try {
          const moved = await this.deps.ds.transaction(async (m) => {
            const t = await this.deps.tournaments.lockForUpdate(id, m);
            if (!t) return false;
            return this.stepLocked(t, m);
          });
          pauseIfCommitted();
          return moved;
        } finally {
          forgetPendingPause();
        }
    }
  }

  private async stepLocked(t: TournamentEntity, m: EntityManager): Promise<boolean> {
    const now = this.clock.now();
    switch (t.state) {
      case 'scheduled': {
        if (now < t.registrationOpensAt) return false;
        // Opened late (the service was down across the planned start): the cycle starts now, once,
        // and keeps its full registration window and time budget.
        const lateMs = now.getTime() - t.registrationOpensAt.getTime();
        if (lateMs > 0) {
          t.registrationClosesAt = new Date(t.registrationClosesAt.getTime() + lateMs);
          t.endsBy = new Date(t.endsBy.getTime() + lateMs);
        }
        const reason = lateMs >= 60_000 ? `registration open, ${Math.round(lateMs / 60_000)} min after its planned time (window and budget moved with it)` : 'registration open';
        await this.deps.transitions.move(t, 'registration', reason, m, lateMs > 0 ? { plannedOpensAt: t.registrationOpensAt.toISOString(), lateMs } : {});
        return true;
      }
      case 'registration':
        if (now < t.registrationClosesAt) return false;
        await this.start(t, m);
        return true;
      case 'rounds':
      case 'boss_round':
        return this.progressRound(t, m);
      case 'weights_set':
        await this.complete(t, m);
        return true;
      default:
        return false;
    }
  }

  private async start(t: TournamentEntity, m: EntityManager): Promise<void> {
    const now = this.clock.now();
    t.startedAt = now;
    if (t.defendingChampion) {
      const c = t.defendingChampion;
      await this.deps.entrants.insert(
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
        m,
      );
    }
    const ctx = await this.bracketContext(t, m);
    await this.deps.audit.append(
      { actor: 'system', action: 'tournament.registration_closed', subjectType: 'tournament', subjectId: t.id, payload: { entrants: ctx.entrants, champion: ctx.champion }, occurredAt: now },
      m,
    );
    await this.playOrFinish(t, ctx, planFirstRound(ctx), m);
  }

  /** Creates the planned round, or ends the tournament when the plan says it is decided. */
  private async playOrFinish(t: TournamentEntity, ctx: BracketContext, plan: RoundPlan, m: EntityManager): Promise<void> {
    if (plan.kind === 'done') {
      await this.finalise(t, ctx, plan.titleHolder, m);
      return;
    }
    if (plan.kind === 'boss' && ctx.champion === NO_CHAMPION) {
      // Nobody to defend: the last challenger takes the title without a boss round.
      await this.finalise(t, ctx, plan.challenger, m);
      return;
    }
    const now = this.clock.now();
    await this.planner.createRound(t, plan as PlayablePlan, (id) => id !== NO_CHAMPION, now, m);
    pauseAfterCommit('round-planned');
    const next: TournamentState = plan.kind === 'boss' ? 'boss_round' : 'rounds';
    const reason = `round ${plan.roundIndex} (${plan.kind}) training`;
    if (t.state !== next) await this.deps.transitions.move(t, next, reason, m);
    else {
      t.stateReason = reason;
      await this.deps.tournaments.save(t, m);
    }
  }

  private async progressRound(t: TournamentEntity, m: EntityManager): Promise<boolean> {
    const rounds = await this.deps.tournaments.rounds(t.id, m);
    const round = rounds[rounds.length - 1];
    if (!round) throw new Error(`tournament ${t.id} is in ${t.state} without a round`);
    const tasks = await this.deps.tournaments.tasksOfRound(round.id, m);
    const runs = await this.deps.runs.ofRound(tasks.map((x) => x.id), m);
    const evaluations = await this.deps.scores.ofTasks(tasks.map((x) => x.id), m);
    const now = this.clock.now();
    const limits = this.deps.config.tournaments;
    const deadlineAt = this.roundDeadline(t, round);
    // The tournament's time budget passed: the overrun rule (scoring/overrun.ts) ends it now.
    const overrun = now >= t.endsBy;
    let progress = roundProgress(tasks, runs, evaluations, { maxInfraFailures: limits.maxInfraRetriesTotal + 1, deadlinePassed: now >= deadlineAt });
    if (overrun && round.kind === 'boss' && progress.status !== 'complete') return this.stopBossAtOverrun(t, round, tasks.map((x) => x.id), m);
    const deadlinePassed = now >= deadlineAt || overrun;
    if (deadlinePassed && progress.status !== 'complete') {
      const why = now >= deadlineAt ? `round ${round.index} deadline passed (${deadlineAt.toISOString()})` : `the tournament's time budget passed (endsBy ${t.endsBy.toISOString()})`;
      const reason = `${why}: decided with the results it has; this run has no result on its task`;
      const closed = await this.deps.runs.closeUnfinished(tasks.map((x) => x.id), reason, now, m);
      progress = roundProgress(tasks, await this.deps.runs.ofRound(tasks.map((x) => x.id), m), evaluations, { maxInfraFailures: limits.maxInfraRetriesTotal + 1, deadlinePassed });
      round.decision = { ...round.decision, deadline: { at: (now >= deadlineAt ? deadlineAt : t.endsBy).toISOString(), closedRuns: closed.map((r) => r.id) } };
    }

    if (progress.status === 'running') {
      return this.setRoundReason(t, round, 'running', `round ${round.index} (${round.kind}): ${progress.finished} of ${progress.finished + progress.pending} runs finished`, m);
    }
    if (progress.status === 'waiting_infra') {
      const reason = `round ${round.index} waits: ${progress.stuck.length} run(s) failed for infrastructure reasons and will be retried; it is not decided on partial data`;
      const since = (round.decision?.waitingSince as string | undefined) ?? now.toISOString();
      if (now.getTime() - Date.parse(since) >= this.outcome.infraBackoffMs) {
        for (const s of progress.stuck) {
          await this.deps.runs.insert({ tournamentId: t.id, taskId: s.taskId, entrantId: s.entrantId, attempt: s.attempt + 1, state: 'queued', hardware: s.hardware, queuedAt: now }, m);
        }
        round.decision = { ...round.decision, waitingSince: undefined };
        this.logger.warn({ tournamentId: t.id, round: round.index, runs: progress.stuck.length }, 're-queued runs after infrastructure failures');
        return this.setRoundReason(t, round, 'running', `round ${round.index}: re-queued ${progress.stuck.length} run(s) after infrastructure failures`, m);
      }
      round.decision = { ...round.decision, waitingSince: since };
      return this.setRoundReason(t, round, 'waiting_infra', reason, m);
    }

    const ctx = await this.bracketContext(t, m);
    const plan = round.decision?.plan as PlayablePlan;
    const entrants = await this.deps.entrants.accepted(t.id, m);
    const receivedAt = new Map(entrants.map((e) => [e.id, e.receivedAt.getTime()]));
    const submittedAt = (id: string) => receivedAt.get(id) ?? Number.MAX_SAFE_INTEGER;
    const resultsOf = (taskId: string) => progress.results.get(taskId) ?? [];
    const rulebook = t.rulebook as unknown as TournamentRulebook;
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
      await this.deps.entrants.markEliminated(decision.eliminated.map((e) => e.entrantId), round.index, m);
      next = planNextRound(ctx, plan, decision);
    }
    if (progress.givenUp.length > 0) {
      // Decided without some results: the organiser hears of it, and the auditor reads why.
      const givenUp = progress.givenUp.map((s) => ({ taskId: s.taskId, entrantId: s.entrantId, attempt: s.attempt, infraFailures: s.infraFailures, reason: s.reason }));
      const why = now >= deadlineAt ? `the round deadline ${deadlineAt.toISOString()} passed` : overrun ? `the tournament's time budget (endsBy ${t.endsBy.toISOString()}) passed` : `infra retries exhausted (${limits.maxInfraRetriesTotal} in total per run)`;
      round.decision = { ...round.decision, givenUp, givenUpReason: why };
      await this.deps.audit.append(
        { actor: 'system', action: 'round.decided_without_results', subjectType: 'round', subjectId: round.id, payload: { tournamentId: t.id, index: round.index, reason: why, givenUp }, occurredAt: now },
        m,
      );
      this.logger.error({ tournamentId: t.id, round: round.index, reason: why, runs: givenUp.length }, 'ALERT: round decided without the results of runs that failed for infrastructure reasons');
    }
    round.state = 'decided';
    pauseAfterCommit('round-decided');
    round.stateReason = null;
    round.decidedAt = now;
    await this.deps.tournaments.saveRound(round, m);
    await this.deps.audit.append(
      { actor: 'system', action: 'round.decided', subjectType: 'round', subjectId: round.id, payload: { tournamentId: t.id, index: round.index, kind: round.kind, decision: round.decision }, occurredAt: now },
      m,
    );
    this.logger.log({ tournamentId: t.id, round: round.index, kind: round.kind, advancing: round.advancing }, 'round decided');
    if (overrun && next.kind !== 'done' && !(next.kind === 'boss' && ctx.champion === NO_CHAMPION)) await this.finaliseAtOverrun(t, ctx, next, round.index + 1, m);
    else await this.playOrFinish(t, ctx, next, m);
    return true;
  }

  /** Overrun rule 4: a boss round that cannot finish by `endsBy` is closed undecided; the champion defends. */
  private async stopBossAtOverrun(t: TournamentEntity, round: RoundEntity, taskIds: string[], m: EntityManager): Promise<boolean> {
    const now = this.clock.now();
    const plan = round.decision?.plan as PlayablePlan;
    const closed = await this.deps.runs.closeUnfinished(taskIds, `the tournament's time budget passed (endsBy ${t.endsBy.toISOString()}): the boss round is not decided`, now, m);
    round.decision = { ...round.decision, plan, eliminated: [], overrun: { closedRuns: closed.map((r) => r.id) } };
    round.advancing = [];
    round.state = 'decided';
    round.stateReason = null;
    round.decidedAt = now;
    await this.deps.tournaments.saveRound(round, m);
    await this.deps.audit.append(
      { actor: 'system', action: 'round.decided', subjectType: 'round', subjectId: round.id, payload: { tournamentId: t.id, index: round.index, kind: round.kind, decision: round.decision }, occurredAt: now },
      m,
    );
    await this.finaliseAtOverrun(t, await this.bracketContext(t, m), plan, round.index, m);
    return true;
  }

  /** Records the overrun marker (sealed with the tournament, replayed by deriveTournament) and finalises: the champion holds the title. */
  private async finaliseAtOverrun(t: TournamentEntity, ctx: BracketContext, plan: PlayablePlan, decidedRounds: number, m: EntityManager): Promise<void> {
    const now = this.clock.now();
    const reason = overrunReason(t.endsBy, plan);
    t.overrun = { endsBy: t.endsBy.toISOString(), at: now.toISOString(), decidedRounds, reason };
    await this.deps.audit.append({ actor: 'system', action: 'tournament.overrun', subjectType: 'tournament', subjectId: t.id, payload: { ...t.overrun }, occurredAt: now }, m);
    this.logger.warn({ tournamentId: t.id, endsBy: t.endsBy.toISOString(), decidedRounds }, reason);
    await this.finalise(t, ctx, ctx.champion, m, reason);
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

  /**
   * When a round is decided with whatever it has: from its start (kept in its decision record) plus the
   * rulebook's round deadline; the configured one for rulebooks stored before the schedule carried it.
   */
  private roundDeadline(t: TournamentEntity, round: RoundEntity): Date {
    const startedAt = typeof round.decision?.startedAt === 'string' ? Date.parse(round.decision.startedAt) : round.createdAt.getTime();
    const minutes = (t.rulebook as unknown as TournamentRulebook).schedule?.roundDeadlineMinutes ?? this.deps.config.tournaments.roundDeadlineMinutes;
    return new Date(startedAt + minutes * 60_000);
  }

  private async setRoundReason(t: TournamentEntity, round: RoundEntity, state: RoundEntity['state'], reason: string, m: EntityManager): Promise<boolean> {
    if (round.state === state && round.stateReason === reason && t.stateReason === reason) return false;
    round.state = state;
    round.stateReason = reason;
    t.stateReason = reason;
    await this.deps.tournaments.saveRound(round, m);
    await this.deps.tournaments.save(t, m);
    // A reason change is bookkeeping, not progress: the caller need not step again.
    return false;
  }

  /** The final ranking comes from the same derivation (evidence -> decisions) that the weights and the auditor use. */
  private async finalise(t: TournamentEntity, ctx: BracketContext, titleHolder: string, m: EntityManager, reason?: string): Promise<void> {
    const derivation = await this.evidence.derive(t, m);
    if (derivation.winnerEntrantId !== (titleHolder === NO_CHAMPION ? null : titleHolder)) {
      throw new Error(`tournament ${t.id}: the derivation names ${derivation.winnerEntrantId} as title holder, the engine ${titleHolder}`);
    }
    t.ranking = derivation.ranking;
    t.winnerEntrantId = derivation.winnerEntrantId;
    t.finishedAt = this.clock.now();
    const decided = `decided: ${titleHolder === ctx.champion ? 'the champion keeps the title' : 'a new champion'}`;
    await this.deps.transitions.move(t, 'finalised', reason ? `${decided} (${reason})` : decided, m, { ranking: t.ranking, winnerEntrantId: t.winnerEntrantId, overrun: t.overrun ?? undefined });
  }

  private async complete(t: TournamentEntity, m: EntityManager): Promise<void> {
    const now = this.clock.now();
    const tasks = await this.deps.tournaments.tasks(t.id, m);
    for (const task of tasks) {
      if (task.revealedSeed) continue;
      task.revealedSeed = task.secretSeed;
      task.revealedAt = now;
      await this.deps.tournaments.saveTask(task, m);
    }
    await this.deps.transitions.move(t, 'completed', 'completed; task seeds revealed', m, { revealed: tasks.map((x) => ({ taskId: x.id, seed: x.secretSeed })) });
    await this.outcome.scheduleNextCycle(t, m);
  }

  private async bracketContext(t: TournamentEntity, m: EntityManager): Promise<BracketContext> {
    const accepted = await this.deps.entrants.accepted(t.id, m);
    const champion = accepted.find((e) => e.isChampion);
    const rules = t.rulebook as unknown as TournamentRulebook;
    return {
      entrants: accepted.filter((e) => !e.isChampion).map((e) => e.id),
      champion: champion?.id ?? NO_CHAMPION,
      seed: t.id,
      rules: { knockoutMax: rules.knockoutMax, groupSize: rules.groupSize, groupAdvance: rules.groupAdvance, bossTasks: rules.bossTasks },
    };
  }

  /** Scores each task's base model once (the baseline shown beside miners' scores). */
  async ensureBaselines(tournamentId: string): Promise<void> {
    const tasks = await this.deps.tournaments.tasks(tournamentId);
    const scored = new Set((await this.deps.scores.ofTasks(tasks.map((x) => x.id))).filter((e) => e.runId === null).map((e) => e.taskId));
    for (const task of tasks) {
      if (scored.has(task.id)) continue;
      const result = await this.taskData.evaluateBaseline({ taskId: task.id, taskType: task.taskType as TaskType, datasetId: task.datasetId, seed: task.secretSeed }, task.baseModel);
      if (result.ok) await this.deps.scores.record(task.id, null, result.score);
      else this.logger.warn({ tournamentId, taskId: task.id, code: result.code, reason: result.reason }, 'baseline evaluation failed');
    }
  }
}

