import { planCycles } from './cycle-plan';
import { DEFAULT_SCHEDULE } from '../scoring/tournament-rulebook';

const at = (iso: string) => new Date(iso);

describe('planCycles', () => {
  it('the cycle on record with its dates, then opening windows worked from the schedule', () => {
    // Defaults: 24 h registration, 168 h budget, 72 h gap. Cycle 4 opens 1 Jan 00:00, closes 2 Jan, endsBy 9 Jan.
    // Cycle 5: earliest = 2 Jan + 72 h = 5 Jan; latest = 9 Jan + 72 h = 12 Jan; its latest endsBy = 12 Jan + 24 h + 168 h = 20 Jan.
    // Cycle 6: earliest = 5 Jan + 24 h + 72 h = 9 Jan; latest = 20 Jan + 72 h = 23 Jan.
    const current = { id: 't4', cycle: 4, state: 'rounds', registrationOpensAt: at('2027-01-01T00:00:00Z'), registrationClosesAt: at('2027-01-02T00:00:00Z'), endsBy: at('2027-01-09T00:00:00Z') };
    const plan = planCycles({ current, lastCycle: 4, schedule: DEFAULT_SCHEDULE, now: at('2027-01-03T00:00:00Z'), count: 3 });
    expect(plan.map((c) => [c.cycle, c.tournamentId, c.opensAt.toISOString(), c.opensBy.toISOString()])).toEqual([
      [4, 't4', '2027-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
      [5, null, '2027-01-05T00:00:00.000Z', '2027-01-12T00:00:00.000Z'],
      [6, null, '2027-01-09T00:00:00.000Z', '2027-01-23T00:00:00.000Z'],
    ]);
    expect(plan[1].endsBy.toISOString()).toBe('2027-01-20T00:00:00.000Z');
  });

  it('nothing on record: the next cycle opens now', () => {
    const plan = planCycles({ current: null, lastCycle: 0, schedule: DEFAULT_SCHEDULE, now: at('2027-01-01T00:00:00Z'), count: 1 });
    expect(plan).toEqual([{ cycle: 1, tournamentId: null, state: null, opensAt: at('2027-01-01T00:00:00Z'), opensBy: at('2027-01-01T00:00:00Z'), endsBy: at('2027-01-09T00:00:00Z') }]);
  });
});
