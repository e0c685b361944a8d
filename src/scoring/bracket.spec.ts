import { DEFAULT_RULEBOOK } from './rulebook';
import type { TaskResult } from './ranking';
import {
  decideRound,
  planFirstRound,
  planNextRound,
  type BracketContext,
  type GroupRoundPlan,
  type KnockoutRoundPlan,
  type RoundPlan,
} from './bracket';

const rules = DEFAULT_RULEBOOK; // knockoutMax 14, groupSize 32, groupAdvance 8, bossTasks 6

const ids = (n: number) => Array.from({ length: n }, (_, i) => `e${String(i).padStart(2, '0')}`);
const submittedAt = (id: string) => (id.startsWith('e') ? 1000 * (1 + Number(id.slice(1))) : 0);

interface Scenario {
  championWins: boolean;
  /** Entrant index and round -> true when that run fails. */
  fails?: (index: number, round: number) => boolean;
}

function result(ctx: BracketContext, s: Scenario, id: string, round: number): TaskResult {
  if (id === ctx.champion) return { entrantId: id, submittedAt: 0, loss: s.championWins ? 0.001 : 1e6 };
  const i = Number(id.slice(1));
  const failed = s.fails?.(i, round) ?? false;
  return { entrantId: id, submittedAt: submittedAt(id), loss: failed ? null : 1 + ((i * 7919) % 97) / 100 };
}

function simulate(ctx: BracketContext, s: Scenario): RoundPlan[] {
  const plans: RoundPlan[] = [];
  let plan = planFirstRound(ctx);
  for (let guard = 0; guard < 50; guard++) {
    plans.push(plan);
    if (plan.kind === 'done') return plans;
    if (plan.kind === 'boss') {
      plan = planNextRound(ctx, plan, { challengerWon: !s.championWins });
      continue;
    }
    const slots = plan.kind === 'group' ? plan.groups.map((g) => g.entrants) : plan.pairs.map((p) => p.entrants);
    const round = plan.roundIndex;
    const decision = decideRound(plan, slots.map((members) => members.map((id) => result(ctx, s, id, round))));
    plan = planNextRound(ctx, plan, decision);
  }
  throw new Error('bracket did not terminate');
}

/** Challengers still in the tournament at the start of `plan`. */
function challengersOf(plan: GroupRoundPlan | KnockoutRoundPlan, champion: string): string[] {
  const all = plan.kind === 'group' ? plan.groups.flatMap((g) => g.entrants) : plan.pairs.flatMap((p) => p.entrants);
  return all.filter((id) => id !== champion);
}

function checkRound(plan: GroupRoundPlan | KnockoutRoundPlan, expected: readonly string[], champion: string): void {
  const members = challengersOf(plan, champion);
  // every remaining challenger appears in exactly one group/pair
  expect(members.slice().sort()).toEqual(expected.slice().sort());
  if (plan.kind === 'group') {
    expect(expected.length).toBeGreaterThan(rules.knockoutMax);
    expect(plan.groups).toHaveLength(Math.ceil(expected.length / rules.groupSize));
    const sizes = plan.groups.map((g) => g.entrants.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(rules.groupSize);
    expect(Math.min(...sizes)).toBeGreaterThan(rules.groupAdvance);
    expect(plan.groups.some((g) => g.entrants.includes(champion))).toBe(false);
  } else {
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(expected.length).toBeLessThanOrEqual(rules.knockoutMax);
    const withChampion = plan.pairs.filter((p) => p.entrants.includes(champion));
    // the bye only ever goes to the champion, and only when the count is odd
    expect(withChampion).toHaveLength(expected.length % 2);
    for (const p of plan.pairs) {
      expect(p.withChampion).toBe(p.entrants.includes(champion));
      expect(p.entrants[0]).not.toBe(p.entrants[1]);
    }
    if (withChampion.length === 1) {
      expect(withChampion[0].entrants[1]).toBe(champion);
      // the lowest seed faces the champion
      expect(withChampion[0].entrants[0]).toBe(expected[expected.length - 1]);
      expect(plan.pairs[plan.pairs.length - 1]).toBe(withChampion[0]);
    }
  }
}

function expectedRounds(n: number, championWins: boolean): { group: number; knockout: number } {
  const group = n <= 14 ? 0 : n <= 32 ? 1 : 2; // 15..32: one group -> 8; 33..70: -> 16 or 24 -> one group -> 8
  const m = n <= 14 ? n : 8;
  // knockout: m -> ceil(m/2) when the champion loses its bye match, floor(m/2) when it wins it
  const knockout = m <= 1 ? 0 : championWins ? Math.floor(Math.log2(m)) : Math.ceil(Math.log2(m));
  return { group, knockout };
}

describe('bracket: every entrant count 1..70', () => {
  for (const champion of ['champ', 'baseline']) {
    for (const championWins of [false, true]) {
      it(`${champion === 'champ' ? 'with a champion' : 'no champion (baseline)'}, champion ${championWins ? 'wins' : 'loses'} its matches`, () => {
        for (let n = 1; n <= 70; n++) {
          const ctx: BracketContext = { entrants: ids(n), champion, seed: `tournament-${n}`, rules };
          const plans = simulate(ctx, { championWins });
          let remaining = ids(n);
          plans.forEach((plan, i) => {
            expect(plan.roundIndex).toBe(i);
            if (plan.kind === 'group' || plan.kind === 'knockout') {
              checkRound(plan, remaining, champion);
              const next = plans[i + 1];
              remaining =
                next.kind === 'boss' ? [next.challenger] : next.kind === 'done' ? [] : challengersOf(next, champion);
            }
          });
          const kinds = plans.map((p) => p.kind);
          const exp = expectedRounds(n, championWins);
          expect(kinds).toEqual([
            ...Array<string>(exp.group).fill('group'),
            ...Array<string>(exp.knockout).fill('knockout'),
            'boss',
            'done',
          ]);
          const boss = plans[plans.length - 2];
          const done = plans[plans.length - 1];
          if (boss.kind !== 'boss' || done.kind !== 'done') throw new Error('unreachable');
          expect(boss.champion).toBe(champion);
          expect(boss.tasks).toBe(6);
          expect(done).toEqual({
            kind: 'done',
            roundIndex: plans.length - 1,
            titleHolder: championWins ? champion : boss.challenger,
            reason: championWins ? 'champion_defended' : 'challenger_won',
          });
        }
      });
    }
  }

  it('with failing runs it still terminates, only valid runs advance, and every challenger is eliminated once', () => {
    for (let n = 1; n <= 70; n++) {
      const ctx: BracketContext = { entrants: ids(n), champion: 'champ', seed: 's', rules };
      const fails = (i: number, r: number) => (i * 31 + r * 17) % 5 === 0;
      const plans = simulate(ctx, { championWins: false, fails });
      const last = plans[plans.length - 1];
      expect(last.kind).toBe('done');
      for (const plan of plans) {
        if (plan.kind !== 'group' && plan.kind !== 'knockout') continue;
        const slots = plan.kind === 'group' ? plan.groups.map((g) => g.entrants) : plan.pairs.map((p) => p.entrants);
        const res = slots.map((m) => m.map((id) => result(ctx, { championWins: false, fails }, id, plan.roundIndex)));
        const d = decideRound(plan, res);
        const failed = new Set(res.flat().filter((r) => r.loss === null).map((r) => r.entrantId));
        expect(d.advancing.some((id) => failed.has(id))).toBe(false);
        const out = d.eliminated.map((e) => e.entrantId);
        expect(new Set([...out, ...d.advancing]).size).toBe(out.length + d.advancing.length);
        expect([...out, ...d.advancing].sort()).toEqual(challengersOf(plan, 'champ').sort());
      }
    }
  });
});

describe('bracket: edge cases and exact plans', () => {
  const ctx = (n: number, over: Partial<BracketContext> = {}): BracketContext => ({ entrants: ids(n), champion: 'champ', seed: 'T1', rules, ...over });

  it('0 entrants: the champion keeps the title without a round', () => {
    expect(planFirstRound(ctx(0))).toEqual({ kind: 'done', roundIndex: 0, titleHolder: 'champ', reason: 'no_entrants' });
  });

  it('1 entrant: straight to the boss round', () => {
    expect(planFirstRound(ctx(1))).toEqual({ kind: 'boss', roundIndex: 0, challenger: 'e00', champion: 'champ', tasks: 6 });
  });

  it('5 entrants: first-with-last pairs by submission order, the latest submitter meets the champion', () => {
    const plan = planFirstRound(ctx(5));
    expect(plan).toEqual({
      kind: 'knockout',
      roundIndex: 0,
      pairs: [
        { slot: 0, entrants: ['e00', 'e03'], withChampion: false },
        { slot: 1, entrants: ['e01', 'e02'], withChampion: false },
        { slot: 2, entrants: ['e04', 'champ'], withChampion: true },
      ],
    });
    if (plan.kind !== 'knockout') throw new Error('unreachable');
    const r = (entrantId: string, loss: number | null): TaskResult => ({ entrantId, submittedAt: submittedAt(entrantId), loss });
    // e03 beats e00; e01 and e02 tie -> the earlier e01; the champion beats e04
    const d = decideRound(plan, [
      [r('e00', 2), r('e03', 1)],
      [r('e01', 1.5), r('e02', 1.5)],
      [r('e04', 3), r('champ', 2)],
    ]);
    expect(d.advancing).toEqual(['e03', 'e01']);
    expect(d.eliminated.map((e) => [e.entrantId, e.withinRoundRank, e.valid])).toEqual([
      ['e00', 2, true],
      ['e02', 2, true],
      ['e04', 2, true],
    ]);
    expect(planNextRound(ctx(5), plan, d)).toEqual({
      kind: 'knockout',
      roundIndex: 1,
      pairs: [{ slot: 0, entrants: ['e03', 'e01'], withChampion: false }],
    });
    // the champion's run failing lets the odd challenger through; both failing sends nobody on
    expect(decideRound(plan, [[r('e00', 2), r('e03', 1)], [r('e01', 1), r('e02', 2)], [r('e04', 3), r('champ', null)]]).advancing).toEqual(['e03', 'e01', 'e04']);
    expect(decideRound(plan, [[r('e00', null), r('e03', null)], [r('e01', 1), r('e02', 2)], [r('e04', null), r('champ', null)]]).advancing).toEqual(['e01']);
  });

  it('all challengers knocked out: done, the champion keeps the title', () => {
    const c = ctx(3);
    const plan = planFirstRound(c);
    if (plan.kind !== 'knockout') throw new Error('unreachable');
    const r = (entrantId: string, loss: number | null): TaskResult => ({ entrantId, submittedAt: submittedAt(entrantId), loss });
    const d = decideRound(plan, [[r('e00', null), r('e01', null)], [r('e02', 5), r('champ', 1)]]);
    expect(planNextRound(c, plan, d)).toEqual({ kind: 'done', roundIndex: 1, titleHolder: 'champ', reason: 'all_eliminated' });
  });

  it('group draw is seeded: fixed for a seed (golden), different for another', () => {
    const small = { ...rules, knockoutMax: 2, groupSize: 5, groupAdvance: 2 };
    const plan = planFirstRound(ctx(7, { rules: small }));
    // seededShuffle(fnv1a64("T1:round:0")) = e6 e1 e4 e0 e2 e5 e3, dealt to 2 groups alternately
    expect(plan).toEqual({
      kind: 'group',
      roundIndex: 0,
      advancePerGroup: 2,
      groups: [
        { slot: 0, entrants: ['e02', 'e03', 'e04', 'e06'] },
        { slot: 1, entrants: ['e00', 'e01', 'e05'] },
      ],
    });
    if (plan.kind !== 'group') throw new Error('unreachable');
    const r = (entrantId: string, loss: number | null): TaskResult => ({ entrantId, submittedAt: submittedAt(entrantId), loss });
    const d = decideRound(plan, [
      [r('e02', 4), r('e03', 1), r('e04', null), r('e06', 2)],
      [r('e00', 3), r('e01', null), r('e05', null)],
    ]);
    // winners first (group order), then runners-up; only one valid run in group 1
    expect(d.advancing).toEqual(['e03', 'e00', 'e06']);
    expect(d.eliminated.map((e) => [e.entrantId, e.withinRoundRank, e.valid])).toEqual([
      ['e02', 3, true],
      ['e04', 4, false],
      ['e01', 2, false],
      ['e05', 3, false],
    ]);
    const a = planFirstRound(ctx(70, { seed: 'A' }));
    expect(planFirstRound(ctx(70, { seed: 'A' }))).toEqual(a);
    expect(planFirstRound(ctx(70, { seed: 'B' }))).not.toEqual(a);
  });

  it('refuses a malformed context or a wrong outcome', () => {
    expect(() => planFirstRound(ctx(2, { entrants: ['a', 'a'] }))).toThrow(/twice/);
    expect(() => planFirstRound(ctx(2, { entrants: ['a', 'champ'] }))).toThrow(/cannot also be a challenger/);
    expect(() => planFirstRound(ctx(2, { rules: { ...rules, groupSize: 10 } }))).toThrow(/shrink/);
    const plan = planFirstRound(ctx(2));
    if (plan.kind !== 'knockout') throw new Error('unreachable');
    expect(() => decideRound(plan, [[{ entrantId: 'e00', submittedAt: 1, loss: 1 }]])).toThrow(/cover exactly/);
    expect(() => planNextRound(ctx(2), plan, { challengerWon: true })).toThrow(/RoundDecision/);
  });
});
