/**
 * The one function from a tournament's evidence to its decisions: the bracket replayed round by
 * round from the recorded runs and scores (task rankings, advancing entrants, boss verdict), the
 * final ranking, and the standings its weight pool is paid by. The live path (weights preview and
 * the weight setter) and the auditor both call deriveTournament and weightsFromDerivations, so
 * there is no second copy of this logic, of the baseline's pseudo-hotkey, or of rulebook fallbacks.
 *
 * Results of a task: per (task, entrant) the latest attempt counts; its loss is the score of that
 * run when it succeeded and was scored, otherwise the run failed (no loss). An entrant with no run
 * on its task (the virtual "no champion") failed too.
 *
 * Pure: no Nest, TypeORM or IO imports.
 */
import { BracketContext, decideRound, planFirstRound, planNextRound, RoundPlan } from './bracket';
import { BossVerdict, decideBoss } from './boss-gate';
import { CopyCandidate, CopyFinding, findCopies } from './copies';
import { OverrunMarker, overrunStop } from './overrun';
import { compareBySubmission, EliminationRecord, MetricDirection, RankedResult, rankTask, TaskResult, tournamentRanking, TournamentStanding } from './ranking';
import { Rulebook, weightFormulaOf, WeightFormula } from './rulebook';
import { computeWeights, TournamentWeightInput, WeightRules, WeightVector } from './weights';

/** The configured baseline champion's hotkey: not a miner; whatever it earns goes to the burn uid. */
export const BASELINE_HOTKEY = 'baseline';

/** Stand-in champion of a first tournament without a configured baseline: it never runs, so it always loses. */
export const NO_CHAMPION = 'no-champion';

export interface EvidenceEntrant {
  id: string;
  hotkey: string;
  isChampion: boolean;
  /** ms since the Unix epoch; the earlier submission wins ties. */
  submittedAt: number;
}

export interface EvidenceTask {
  id: string;
  roundIndex: number;
  /** Group or pair number; the boss round's tasks are slots 0..n-1 in their fixed order. */
  slot: number;
  /** Which way the task's metric is better (its task type's); absent: 'lower', a loss. */
  direction?: MetricDirection;
}

export interface EvidenceRun {
  id: string;
  taskId: string;
  entrantId: string;
  attempt: number;
  outcome: string | null;
}

export interface EvidenceScore {
  runId: string;
  metricValue: number;
  /** The scored model file's sha256 (copy check). */
  modelSha256: string | null;
  /**
   * Per-example losses; required for the boss round's tasks when the gate uses the bootstrap, and for
   * every task when the rulebook has a copy rule.
   */
  losses: Float64Array | null;
}

export interface TournamentEvidence {
  id: string;
  type: string;
  rulebook: Rulebook;
  /** The defending champion's successful defences (0 for a new champion or the baseline). */
  championDefences: number;
  /** Accepted entrants, the champion's entry included. */
  entrants: readonly EvidenceEntrant[];
  tasks: readonly EvidenceTask[];
  runs: readonly EvidenceRun[];
  scores: readonly EvidenceScore[];
  /** Present when the engine stopped the tournament at its time budget (scoring/overrun.ts). */
  overrun?: OverrunMarker | null;
}

export interface DerivedTask {
  taskId: string;
  slot: number;
  ranking: RankedResult[];
}

export interface DerivedRound {
  index: number;
  kind: 'group' | 'knockout' | 'boss';
  plan: Exclude<RoundPlan, { kind: 'done' }>;
  tasks: DerivedTask[];
  advancing: string[];
  eliminated: EliminationRecord[];
  verdict: BossVerdict | null;
  /** Results voided as copies of an earlier entrant's (rulebook copyRule), in submission order. */
  copies: CopyFinding[];
}

export interface TournamentDerivation {
  tournamentId: string;
  tournamentType: string;
  weightFormula: WeightFormula;
  rounds: DerivedRound[];
  /** The overrun rule was applied (the evidence's marker), see scoring/overrun.ts. */
  overrun: boolean;
  /** The title holder's entrant id; null when nobody holds it (no champion and no challenger left). */
  winnerEntrantId: string | null;
  /** Final ranking, best first (the baseline champion left out under weight formula 1). */
  standings: TournamentStanding[];
  ranking: string[];
  /** What the type's pool is paid by: the ranking with hotkeys (null for the baseline). */
  weightInput: TournamentWeightInput;
}

/** Replays the tournament from its evidence. Throws when the evidence cannot decide a round. */
export function deriveTournament(ev: TournamentEvidence): TournamentDerivation {
  const rules = ev.rulebook;
  const entrants = [...ev.entrants].sort((a, b) => compareBySubmission({ submittedAt: a.submittedAt, entrantId: a.id }, { submittedAt: b.submittedAt, entrantId: b.id }));
  const byId = new Map(entrants.map((e) => [e.id, e]));
  const champion = entrants.find((e) => e.isChampion) ?? null;
  const ctx: BracketContext = {
    entrants: entrants.filter((e) => !e.isChampion).map((e) => e.id),
    champion: champion?.id ?? NO_CHAMPION,
    seed: ev.id,
    rules: { knockoutMax: rules.knockoutMax, groupSize: rules.groupSize, groupAdvance: rules.groupAdvance, bossTasks: rules.bossTasks },
  };
  const submittedAt = (id: string) => byId.get(id)?.submittedAt ?? Number.MAX_SAFE_INTEGER;
  const results = finalResults(ev);
  const copiesOf = voidCopies(ev, results, submittedAt);
  const resultOf = (taskId: string, entrantId: string) => results.get(`${taskId}/${entrantId}`) ?? null;

  const rounds: DerivedRound[] = [];
  let boss: { challenger: string; won: boolean } | null = null;
  const unplaced: EliminationRecord[] = [];
  let titleHolder: string | null = null;
  let plan = planFirstRound(ctx);
  while (plan.kind !== 'done') {
    if (plan.kind === 'boss' && ctx.champion === NO_CHAMPION) {
      // Nobody to defend: the last challenger takes the title without a boss round.
      boss = { challenger: plan.challenger, won: true };
      plan = { kind: 'done', roundIndex: plan.roundIndex, titleHolder: plan.challenger, reason: 'challenger_won' };
      break;
    }
    const index = plan.roundIndex;
    const tasks = ev.tasks.filter((t) => t.roundIndex === index).sort((a, b) => a.slot - b.slot);
    if (ev.overrun && index >= ev.overrun.decidedRounds) {
      const stop = overrunStop(ctx, plan, submittedAt);
      if (plan.kind === 'boss' && tasks.length > 0) {
        // The boss round was under way: it is on record, not decided.
        const p = plan;
        const ranking = (t: EvidenceTask) => rankTask([p.challenger, p.champion].map((id) => ({ entrantId: id, submittedAt: submittedAt(id), loss: resultOf(t.id, id)?.metricValue ?? null })), t.direction);
        rounds.push({ index, kind: 'boss', plan, tasks: tasks.map((t) => ({ taskId: t.id, slot: t.slot, ranking: ranking(t) })), advancing: [], eliminated: [], verdict: null, copies: copiesOf(index) });
      }
      if (stop.bossChallenger) boss = { challenger: stop.bossChallenger, won: false };
      unplaced.push(...stop.unplaced);
      titleHolder = stop.titleHolder;
      break;
    }
    if (tasks.length === 0) throw new Error(`round ${index} (${plan.kind}) has no tasks in the evidence`);
    const slotResults = (taskId: string, members: readonly string[]): TaskResult[] =>
      members.map((id) => ({ entrantId: id, submittedAt: submittedAt(id), loss: resultOf(taskId, id)?.metricValue ?? null }));

    if (plan.kind === 'boss') {
      const p = plan;
      const side = (taskId: string, id: string) => {
        const r = resultOf(taskId, id);
        return { loss: r?.metricValue ?? null, perExample: r?.losses ?? null };
      };
      const verdict = decideBoss({
        rules,
        championDefences: ev.championDefences,
        tasks: tasks.map((t) => ({ taskId: t.id, direction: t.direction, champion: side(t.id, p.champion), challenger: side(t.id, p.challenger) })),
      });
      rounds.push({
        index,
        kind: 'boss',
        plan,
        tasks: tasks.map((t) => ({ taskId: t.id, slot: t.slot, ranking: rankTask(slotResults(t.id, [p.challenger, p.champion]), t.direction) })),
        advancing: verdict.challengerWins ? [p.challenger] : [],
        eliminated: [],
        verdict,
        copies: copiesOf(index),
      });
      boss = { challenger: p.challenger, won: verdict.challengerWins };
      plan = planNextRound(ctx, plan, { challengerWon: verdict.challengerWins });
      continue;
    }
    const slots = plan.kind === 'group' ? plan.groups.map((g) => g.entrants) : plan.pairs.map((x) => [...x.entrants]);
    const bySlot = new Map(tasks.map((t) => [t.slot, t]));
    const slotTasks = slots.map((_, slot) => {
      const t = bySlot.get(slot);
      if (!t) throw new Error(`round ${index} (${plan.kind}) has no task for slot ${slot}`);
      return t;
    });
    const taskResults = slots.map((members, slot) => slotResults(slotTasks[slot].id, members));
    const directions = slotTasks.map((t) => t.direction ?? 'lower');
    const decision = decideRound(plan, taskResults, directions);
    rounds.push({
      index,
      kind: plan.kind,
      plan,
      tasks: slotTasks.map((t, slot) => ({ taskId: t.id, slot: t.slot, ranking: rankTask(taskResults[slot], directions[slot]) })),
      advancing: decision.advancing,
      eliminated: decision.eliminated,
      verdict: null,
      copies: copiesOf(index),
    });
    plan = planNextRound(ctx, plan, decision);
  }

  const holder = titleHolder ?? (plan.kind === 'done' ? plan.titleHolder : NO_CHAMPION);
  const formula = weightFormulaOf(rules);
  const all = tournamentRanking({
    champion: champion ? { id: champion.id } : null,
    bossChallenger: boss?.challenger ?? null,
    challengerWonBoss: boss?.won ?? false,
    eliminated: [...rounds.flatMap((r) => r.eliminated), ...unplaced],
  });
  const isBaseline = (id: string) => byId.get(id)?.hotkey === BASELINE_HOTKEY;
  const standings = (formula === 1 ? all.filter((s) => !isBaseline(s.entrantId)) : all).map((s, i) => ({ ...s, rank: i + 1 }));
  const succeeded = new Set(ev.runs.filter((r) => r.outcome === 'succeeded').map((r) => r.entrantId));
  return {
    tournamentId: ev.id,
    tournamentType: ev.type,
    weightFormula: formula,
    rounds,
    overrun: titleHolder !== null,
    winnerEntrantId: holder === NO_CHAMPION ? null : holder,
    standings,
    ranking: standings.map((s) => s.entrantId),
    weightInput: {
      tournamentType: ev.type,
      standings: standings.map((s) => {
        const hotkey = byId.get(s.entrantId)?.hotkey ?? null;
        return { hotkey: hotkey === BASELINE_HOTKEY ? null : hotkey, completedValidRun: succeeded.has(s.entrantId) };
      }),
    },
  };
}

/**
 * Applies the rulebook's copy rule round by round: a copier's result on a task becomes "failed" in
 * `results`. Returns the findings per round index.
 */
function voidCopies(ev: TournamentEvidence, results: Map<string, EvidenceScore | null>, submittedAt: (id: string) => number): (roundIndex: number) => CopyFinding[] {
  const byRound = new Map<number, CopyFinding[]>();
  const rule = ev.rulebook.copyRule;
  if (rule) {
    const roundOf = new Map(ev.tasks.map((t) => [t.id, t.roundIndex]));
    const candidates = new Map<number, CopyCandidate[]>();
    for (const [key, score] of results) {
      if (!score) continue;
      const [taskId, entrantId] = key.split('/');
      const round = roundOf.get(taskId);
      if (round === undefined) continue;
      const list = candidates.get(round) ?? [];
      list.push({ taskId, entrantId, submittedAt: submittedAt(entrantId), modelSha256: score.modelSha256, metricValue: score.metricValue, losses: score.losses });
      candidates.set(round, list);
    }
    for (const [round, list] of candidates) {
      const findings = findCopies(list, rule);
      for (const f of findings) results.set(`${f.taskId}/${f.entrantId}`, null);
      byRound.set(round, findings);
    }
  }
  return (roundIndex) => byRound.get(roundIndex) ?? [];
}

/** The latest attempt of each (task, entrant), with its score when it succeeded and was scored. */
function finalResults(ev: TournamentEvidence): Map<string, EvidenceScore | null> {
  const latest = new Map<string, EvidenceRun>();
  for (const run of ev.runs) {
    const key = `${run.taskId}/${run.entrantId}`;
    const seen = latest.get(key);
    if (!seen || run.attempt > seen.attempt) latest.set(key, run);
  }
  const scoreOf = new Map(ev.scores.map((s) => [s.runId, s]));
  const out = new Map<string, EvidenceScore | null>();
  for (const [key, run] of latest) out.set(key, run.outcome === 'succeeded' ? (scoreOf.get(run.id) ?? null) : null);
  return out;
}

/** The metagraph as read when a weight vector is made: its block and hotkey -> uid table. */
export interface MetagraphSnapshot {
  /** Block the table was read at; null for a static table (offline runs). */
  block: number | null;
  uids: Readonly<Record<string, number>>;
}

/** The pools and decay used when no tournament has been decided yet: everything to the burn uid. */
const NOTHING_DECIDED: WeightRules = { weightDecay: 1, pools: {}, participationFloor: 0 };

export interface WeightsFromDerivationsInput {
  /** The latest decided tournament of each type, with the rulebook it ran under; the first one's rulebook sets the pools. */
  tournaments: ReadonlyArray<{ rulebook: Rulebook; derivation: TournamentDerivation }>;
  /** Uids come from this snapshot only: a hotkey missing from it (deregistered) is paid to the burn uid. */
  metagraph: MetagraphSnapshot;
  burnUid: number;
}

/** The float weight vector from derived tournaments and a metagraph snapshot (see weights.ts). */
export function weightsFromDerivations(input: WeightsFromDerivationsInput): WeightVector {
  const first = input.tournaments[0];
  return computeWeights({
    rules: first ? first.rulebook : NOTHING_DECIDED,
    tournaments: input.tournaments.map((t) => t.derivation.weightInput),
    hotkeyToUid: new Map(Object.entries(input.metagraph.uids)),
    burnUid: input.burnUid,
  });
}

/** What a weight vector was made from: stored with the weight set and sealed in its audit bundle. */
export interface WeightBasis {
  /** The latest decided tournament of each type when the vector was made, in pool order. */
  tournamentIds: string[];
  burnUid: number;
  metagraph: MetagraphSnapshot;
}
