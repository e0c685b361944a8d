import { Injectable } from '@nestjs/common';
import { LossesReader } from '../evaluation/losses-reader';
import { metricDirectionOf } from '../evaluation/task-types/metric-direction';
import { RunRepository } from '../runs/run.repository';
import { ScoreRepository } from '../runs/score.repository';
import { assertValidRulebook } from '../scoring/rulebook';
import { deriveTournament, EvidenceScore, TournamentDerivation, TournamentEvidence } from '../scoring/tournament-evidence';
import { EntrantRepository } from '../submissions/entrant.repository';
import type { TournamentEntity } from './tournament.entity';
import { TournamentRepository } from './tournament.repository';

/**
 * Reads a tournament's evidence (rulebook, entrants, tasks, runs, scores and the boss round's
 * per-example losses) from the database and derives its decisions with the same pure function the
 * auditor runs on sealed bundles. A decided tournament's evidence never changes, so its derivation
 * is kept in memory.
 */
@Injectable()
export class TournamentEvidenceService {
  private readonly decided = new Map<string, TournamentDerivation>();

  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly entrants: EntrantRepository,
    private readonly runs: RunRepository,
    private readonly scores: ScoreRepository,
    private readonly losses: LossesReader,
  ) {}

  async derive(t: TournamentEntity): Promise<TournamentDerivation> {
    const cached = this.decided.get(t.id);
    if (cached) return cached;
    const derivation = deriveTournament(await this.load(t));
    if (t.ranking !== null) this.decided.set(t.id, derivation);
    return derivation;
  }

  async load(t: TournamentEntity): Promise<TournamentEvidence> {
    // One after another: inside a transaction the four reads share one connection, which runs one query at a time.
    const rounds = await this.tournaments.rounds(t.id);
    const tasks = await this.tournaments.tasks(t.id);
    const entrants = await this.entrants.accepted(t.id);
    const runs = await this.runs.ofTournament(t.id);
    const roundIndex = new Map(rounds.map((r) => [r.id, r.index]));
    const bossRounds = new Set(rounds.filter((r) => r.kind === 'boss').map((r) => r.id));
    const bossTasks = new Set(tasks.filter((x) => bossRounds.has(x.roundId)).map((x) => x.id));
    const evaluations = await this.scores.ofTasks(tasks.map((x) => x.id));
    const rulebook = assertValidRulebook(t.rulebook);
    const scores: EvidenceScore[] = [];
    for (const e of evaluations) {
      if (e.runId === null) continue;
      const needLosses = bossTasks.has(e.taskId) || rulebook.copyRule !== undefined;
      scores.push({ runId: e.runId, metricValue: e.metricValue, modelSha256: e.modelSha256, losses: needLosses ? await this.losses.read(e.lossesPath) : null });
    }
    return {
      id: t.id,
      type: t.type,
      rulebook,
      championDefences: t.defendingChampion?.defences ?? 0,
      entrants: entrants.map((e) => ({ id: e.id, hotkey: e.hotkey, isChampion: e.isChampion, submittedAt: e.receivedAt.getTime() })),
      tasks: tasks.map((x) => ({ id: x.id, roundIndex: roundIndex.get(x.roundId) ?? -1, slot: x.slot, direction: metricDirectionOf(x.taskType) })),
      runs: runs.map((r) => ({ id: r.id, taskId: r.taskId, entrantId: r.entrantId, attempt: r.attempt, outcome: r.outcome })),
      scores,
      overrun: t.overrun,
    };
  }
}
