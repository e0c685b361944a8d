import { createHash } from 'node:crypto';
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
 * is kept in memory; an undecided one's last derivation is reused only for the same evidence.
 */
@Injectable()
export class TournamentEvidenceService {
  private readonly decided = new Map<string, TournamentDerivation>();
  /** The last derivation of a tournament not yet decided, under a digest of the evidence it came from. */
  private readonly undecided = new Map<string, { key: string; derivation: TournamentDerivation }>();

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
    const evidence = await this.load(t);
    // The step that finalises derives it from the very evidence the weights read next: the boss
    // gate's bootstrap (seconds for a large field) runs once for both.
    const key = evidenceKey(evidence);
    const last = this.undecided.get(t.id);
    const derivation = last?.key === key ? last.derivation : deriveTournament(evidence);
    if (t.ranking !== null) {
      this.decided.set(t.id, derivation);
      this.undecided.delete(t.id);
    } else {
      this.undecided.set(t.id, { key, derivation });
    }
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

/** A digest of everything the derivation reads (deriveTournament is pure: equal evidence, equal derivation). */
function evidenceKey(ev: TournamentEvidence): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ ...ev, scores: ev.scores.map((s) => ({ ...s, losses: s.losses ? s.losses.length : null })) }));
  for (const s of ev.scores) if (s.losses) hash.update(new Uint8Array(s.losses.buffer, s.losses.byteOffset, s.losses.byteLength));
  return hash.digest('hex');
}
