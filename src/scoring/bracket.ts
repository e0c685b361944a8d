/**
 * The bracket: which challengers meet in which round, and who goes on. Pure and deterministic (no
 * Nest, TypeORM or IO imports) so the engine, the tests and an auditor all get the same plan.
 *
 * Vocabulary. Challengers are the tournament's entrants; the champion is the defending champion, or
 * the configured baseline repo in a type's first tournament (the bracket treats both the same).
 * The champion is never a challenger: it cannot be "the odd one", it is never eliminated and it
 * never advances; it waits for the boss round.
 *
 * Seeding. The entrants come in submission order (earliest first) and that is their seeding for
 * the first round. Later rounds are seeded by the previous round's result (below).
 *
 * Each round, with m challengers left (roundIndex counts from 0):
 *   - m = 0: 'done'; the champion keeps the title (reason 'no_entrants' before any round was played,
 *     'all_eliminated' after).
 *   - m = 1: 'boss' round: that challenger against the champion on `bossTasks` tasks.
 *   - 2 <= m <= knockoutMax: 'knockout' round. If m is odd, the lowest seed (the last one) is paired
 *     with the champion: the champion "fills the bye", so the odd challenger still has to win a
 *     match. The other seeds pair first-with-last: (s0, s[k-1]), (s1, s[k-2]), ... One task per pair.
 *     A pair's winner is its better valid run (ties to the earlier submission, see ranking.ts); when
 *     both runs failed nobody advances from that pair. In the champion's pair the challenger advances
 *     only if it beats the champion's run (or the champion's run failed and its own did not);
 *     otherwise it is eliminated and nobody advances from that slot. The champion's result there does
 *     not count towards the boss round. Next round's seeding: the winners in pair order, which keeps
 *     a classic seeded bracket (1-vs-8 meets 4-vs-5, and so on).
 *   - m > knockoutMax: 'group' round. g = ceil(m / groupSize) groups, as equal as possible (sizes
 *     differ by at most 1, none larger than groupSize). The draw: the challengers in seed order are
 *     shuffled by seededShuffle(fnv1a64(`${seed}:round:${roundIndex}`)) (scoring/prng.ts) and dealt
 *     round-robin, the i-th drawn to group i mod g; inside a group they are listed in seed order. One
 *     task per group; its top `groupAdvance` valid runs advance. Next round's seeding: all group
 *     winners (in group order), then all runners-up, and so on.
 * With all runs valid the field shrinks every round, so the bracket always ends in a boss round; with
 * failures it can end 'done' with no challenger left.
 */
import { fnv1a64, seededShuffle } from './prng';
import { rankTask, type EliminationRecord, type MetricDirection, type TaskResult } from './ranking';
import type { Rulebook } from './rulebook';

export type BracketRules = Pick<Rulebook, 'knockoutMax' | 'groupSize' | 'groupAdvance' | 'bossTasks'>;

export interface BracketContext {
  /** Challenger (entrant) ids, earliest submission first. Must not contain the champion. */
  entrants: readonly string[];
  /** The defending champion's id, or the configured baseline's when there is no champion. */
  champion: string;
  /** The tournament's seed text (drives the group draw). */
  seed: string;
  rules: BracketRules;
}

export interface GroupSlot {
  slot: number;
  /** Challengers in seed order. */
  entrants: string[];
}

export interface PairSlot {
  slot: number;
  /** [higher seed, lower seed]; in the champion's pair: [challenger, champion]. */
  entrants: [string, string];
  withChampion: boolean;
}

export interface GroupRoundPlan {
  kind: 'group';
  roundIndex: number;
  groups: GroupSlot[];
  advancePerGroup: number;
}

export interface KnockoutRoundPlan {
  kind: 'knockout';
  roundIndex: number;
  pairs: PairSlot[];
}

export interface BossRoundPlan {
  kind: 'boss';
  roundIndex: number;
  challenger: string;
  champion: string;
  tasks: number;
}

export type DoneReason = 'no_entrants' | 'all_eliminated' | 'champion_defended' | 'challenger_won';

export interface DonePlan {
  kind: 'done';
  /** Index the next round would have had (= number of rounds played). */
  roundIndex: number;
  /** Who holds the title now. */
  titleHolder: string;
  reason: DoneReason;
}

export type RoundPlan = GroupRoundPlan | KnockoutRoundPlan | BossRoundPlan | DonePlan;

export interface RoundDecision {
  /** Challengers going on, in their seeding for the next round. */
  advancing: string[];
  /** Challengers knocked out in this round (never the champion). */
  eliminated: EliminationRecord[];
}

/** Boss round outcome, as decided by scoring/boss-gate.ts. */
export interface BossOutcome {
  challengerWon: boolean;
}

function checkContext(ctx: BracketContext): void {
  const { knockoutMax, groupSize, groupAdvance, bossTasks } = ctx.rules;
  for (const [k, v] of Object.entries({ knockoutMax, groupSize, groupAdvance, bossTasks })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be an integer >= 1`);
  }
  if (knockoutMax < 2) throw new RangeError('knockoutMax must be >= 2');
  if (groupAdvance > knockoutMax || groupSize < 2 * groupAdvance + 1) {
    throw new RangeError('groups would not shrink the field: need groupAdvance <= knockoutMax and groupSize >= 2 * groupAdvance + 1');
  }
  if (ctx.champion === '') throw new RangeError('a champion (or the baseline) is required');
  const seen = new Set<string>();
  for (const e of ctx.entrants) {
    if (seen.has(e)) throw new RangeError(`entrant ${e} is listed twice`);
    if (e === ctx.champion) throw new RangeError(`the champion ${e} cannot also be a challenger`);
    seen.add(e);
  }
}

/** The first round of a tournament. */
export function planFirstRound(ctx: BracketContext): RoundPlan {
  return planRound(ctx, ctx.entrants, 0);
}

/** The round for `challengers` (in seed order) at `roundIndex`. */
export function planRound(ctx: BracketContext, challengers: readonly string[], roundIndex: number): RoundPlan {
  checkContext(ctx);
  const known = new Set(ctx.entrants);
  const seen = new Set<string>();
  for (const c of challengers) {
    if (!known.has(c) || seen.has(c)) throw new RangeError(`challenger ${c} is not an entrant or is listed twice`);
    seen.add(c);
  }
  const m = challengers.length;
  const { rules, champion } = ctx;
  if (m === 0) {
    return { kind: 'done', roundIndex, titleHolder: champion, reason: roundIndex === 0 ? 'no_entrants' : 'all_eliminated' };
  }
  if (m === 1) return { kind: 'boss', roundIndex, challenger: challengers[0], champion, tasks: rules.bossTasks };
  if (m <= rules.knockoutMax) return { kind: 'knockout', roundIndex, pairs: knockoutPairs(challengers, champion) };
  return { kind: 'group', roundIndex, groups: drawGroups(ctx, challengers, roundIndex), advancePerGroup: rules.groupAdvance };
}

function knockoutPairs(challengers: readonly string[], champion: string): PairSlot[] {
  const odd = challengers.length % 2 === 1;
  const rest = odd ? challengers.slice(0, -1) : challengers.slice();
  const k = rest.length;
  const pairs: PairSlot[] = [];
  for (let i = 0; i < k / 2; i++) pairs.push({ slot: i, entrants: [rest[i], rest[k - 1 - i]], withChampion: false });
  if (odd) pairs.push({ slot: pairs.length, entrants: [challengers[challengers.length - 1], champion], withChampion: true });
  return pairs;
}

function drawGroups(ctx: BracketContext, challengers: readonly string[], roundIndex: number): GroupSlot[] {
  const g = Math.ceil(challengers.length / ctx.rules.groupSize);
  const seedOrder = new Map(challengers.map((id, i) => [id, i]));
  const drawn = seededShuffle(challengers, fnv1a64(`${ctx.seed}:round:${roundIndex}`));
  const groups: string[][] = Array.from({ length: g }, () => []);
  drawn.forEach((id, i) => groups[i % g].push(id));
  return groups.map((members, slot) => ({
    slot,
    entrants: members.sort((a, b) => (seedOrder.get(a) ?? 0) - (seedOrder.get(b) ?? 0)),
  }));
}

function checkSlotResults(slot: number, expected: readonly string[], results: readonly TaskResult[]): void {
  const got = new Set(results.map((r) => r.entrantId));
  if (got.size !== results.length || got.size !== expected.length || !expected.every((id) => got.has(id))) {
    throw new Error(`slot ${slot}: results must cover exactly [${expected.join(', ')}]`);
  }
}

/**
 * Decides a group or knockout round from its task results: `results[slot]` holds the results of the
 * slot's task, one per member (the champion's too, in its knockout pair).
 */
/** `directions`: each slot's task metric direction (absent: 'lower', a loss). */
export function decideRound(
  plan: GroupRoundPlan | KnockoutRoundPlan,
  results: readonly (readonly TaskResult[])[],
  directions: readonly MetricDirection[] = [],
): RoundDecision {
  const slots = plan.kind === 'group' ? plan.groups.length : plan.pairs.length;
  if (results.length !== slots) throw new Error(`round ${plan.roundIndex}: expected results for ${slots} slots, got ${results.length}`);
  const directionOf = (slot: number): MetricDirection => directions[slot] ?? 'lower';
  return plan.kind === 'group' ? decideGroups(plan, results, directionOf) : decideKnockout(plan, results, directionOf);
}

function eliminated(roundIndex: number, r: ReturnType<typeof rankTask>[number]): EliminationRecord {
  return { entrantId: r.entrantId, submittedAt: r.submittedAt, roundIndex, withinRoundRank: r.rank, valid: r.valid };
}

function decideGroups(plan: GroupRoundPlan, results: readonly (readonly TaskResult[])[], directionOf: (slot: number) => MetricDirection): RoundDecision {
  const advancersByGroup: string[][] = [];
  const out: EliminationRecord[] = [];
  plan.groups.forEach((group, slot) => {
    checkSlotResults(slot, group.entrants, results[slot]);
    const ranked = rankTask(results[slot], directionOf(slot));
    const advancing = ranked.filter((r) => r.valid).slice(0, plan.advancePerGroup);
    const going = new Set(advancing.map((r) => r.entrantId));
    advancersByGroup.push(advancing.map((r) => r.entrantId));
    for (const r of ranked) if (!going.has(r.entrantId)) out.push(eliminated(plan.roundIndex, r));
  });
  const advancing: string[] = [];
  for (let place = 0; place < plan.advancePerGroup; place++) {
    for (const list of advancersByGroup) if (place < list.length) advancing.push(list[place]);
  }
  return { advancing, eliminated: out };
}

function decideKnockout(plan: KnockoutRoundPlan, results: readonly (readonly TaskResult[])[], directionOf: (slot: number) => MetricDirection): RoundDecision {
  const advancing: string[] = [];
  const out: EliminationRecord[] = [];
  plan.pairs.forEach((pair, slot) => {
    checkSlotResults(slot, pair.entrants, results[slot]);
    const ranked = rankTask(results[slot], directionOf(slot));
    const champion = pair.withChampion ? pair.entrants[1] : null;
    const winner = ranked[0].valid && ranked[0].entrantId !== champion ? ranked[0].entrantId : null;
    if (winner !== null) advancing.push(winner);
    for (const r of ranked) {
      if (r.entrantId !== winner && r.entrantId !== champion) out.push(eliminated(plan.roundIndex, r));
    }
  });
  return { advancing, eliminated: out };
}

/** What comes after `plan`: the next round, the boss round, or 'done'. */
export function planNextRound(ctx: BracketContext, plan: RoundPlan, outcome: RoundDecision | BossOutcome): RoundPlan {
  switch (plan.kind) {
    case 'group':
    case 'knockout': {
      if (!('advancing' in outcome)) throw new Error(`a ${plan.kind} round is decided by a RoundDecision`);
      return planRound(ctx, outcome.advancing, plan.roundIndex + 1);
    }
    case 'boss': {
      if (!('challengerWon' in outcome)) throw new Error('the boss round is decided by a BossOutcome');
      return outcome.challengerWon
        ? { kind: 'done', roundIndex: plan.roundIndex + 1, titleHolder: plan.challenger, reason: 'challenger_won' }
        : { kind: 'done', roundIndex: plan.roundIndex + 1, titleHolder: plan.champion, reason: 'champion_defended' };
    }
    case 'done':
      throw new Error('the tournament is already decided');
  }
}
