/**
 * Tournament lifecycle as a pure state machine. The scheduler asks `canTransition` before every
 * move and records the move; nothing else changes a tournament's state.
 */
export const TOURNAMENT_STATES = [
  'scheduled',
  'registration',
  'rounds',
  'boss_round',
  'finalised',
  'published',
  'weights_set',
  'completed',
  'cancelled',
] as const;
export type TournamentState = (typeof TOURNAMENT_STATES)[number];

const NEXT: Record<TournamentState, readonly TournamentState[]> = {
  scheduled: ['registration', 'cancelled'],
  registration: ['rounds', 'boss_round', 'finalised', 'cancelled'],
  rounds: ['boss_round', 'finalised', 'cancelled'],
  boss_round: ['finalised', 'cancelled'],
  finalised: ['published', 'cancelled'],
  published: ['weights_set', 'cancelled'],
  weights_set: ['completed'],
  completed: [],
  cancelled: [],
};

export function allowedTournamentTransitions(from: TournamentState): readonly TournamentState[] {
  return NEXT[from];
}

export function canTransitionTournament(from: TournamentState, to: TournamentState): boolean {
  return NEXT[from].includes(to);
}

export function isTerminalTournamentState(state: TournamentState): boolean {
  return NEXT[state].length === 0;
}

export function assertTournamentTransition(from: TournamentState, to: TournamentState): void {
  if (!canTransitionTournament(from, to)) {
    throw new Error(`illegal tournament transition ${from} -> ${to}`);
  }
}
