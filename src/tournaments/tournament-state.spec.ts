import {
  TOURNAMENT_STATES,
  TournamentState,
  assertTournamentTransition,
  canTransitionTournament,
  isTerminalTournamentState,
} from './tournament-state';

const EXPECTED: Array<[TournamentState, TournamentState]> = [
  ['scheduled', 'registration'],
  ['scheduled', 'cancelled'],
  ['registration', 'rounds'],
  ['registration', 'boss_round'],
  ['registration', 'finalised'],
  ['registration', 'cancelled'],
  ['rounds', 'boss_round'],
  ['rounds', 'finalised'],
  ['rounds', 'cancelled'],
  ['boss_round', 'finalised'],
  ['boss_round', 'cancelled'],
  ['finalised', 'published'],
  ['finalised', 'cancelled'],
  ['published', 'weights_set'],
  ['published', 'cancelled'],
  ['weights_set', 'completed'],
];

describe('tournament state machine', () => {
  const allowed = new Set(EXPECTED.map(([a, b]) => `${a}->${b}`));

  it.each(TOURNAMENT_STATES.flatMap((from) => TOURNAMENT_STATES.map((to) => [from, to] as const)))(
    '%s -> %s is allowed only when listed',
    (from, to) => {
      const expected = allowed.has(`${from}->${to}`);
      expect(canTransitionTournament(from, to)).toBe(expected);
      if (expected) expect(() => assertTournamentTransition(from, to)).not.toThrow();
      else expect(() => assertTournamentTransition(from, to)).toThrow(/illegal tournament transition/);
    },
  );

  it('has exactly two terminal states', () => {
    expect(TOURNAMENT_STATES.filter(isTerminalTournamentState)).toEqual(['completed', 'cancelled']);
  });

  it('reaches completed from scheduled', () => {
    const seen = new Set<TournamentState>(['scheduled']);
    const queue: TournamentState[] = ['scheduled'];
    while (queue.length) {
      const s = queue.shift()!;
      for (const t of TOURNAMENT_STATES) if (canTransitionTournament(s, t) && !seen.has(t)) { seen.add(t); queue.push(t); }
    }
    expect([...seen].sort()).toEqual([...TOURNAMENT_STATES].sort());
  });
});
