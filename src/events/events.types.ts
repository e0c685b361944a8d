/** The four kinds of live event (the SSE `event:` field). */
export const EVENT_TYPES = ['run', 'round', 'tournament', 'weights'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Payloads as the database triggers write them (migrations/1795400600000-EventsOutbox.ts); `at` is ISO 8601 UTC. */
export interface RunEventData {
  runId: string;
  tournamentId: string;
  roundId: string | null;
  taskId: string;
  entrantId: string;
  hotkey: string | null;
  attempt: number;
  hardware: string;
  state: string;
  outcome: string | null;
  reason: string | null;
  at: string;
}

export interface RoundEventData {
  tournamentId: string;
  roundId: string;
  index: number;
  stage: string;
  state: string;
  decided: boolean;
  reason: string | null;
  at: string;
}

export interface TournamentEventData {
  tournamentId: string;
  type: string;
  cycle: number;
  state: string;
  reason: string | null;
  at: string;
}

export interface WeightsEventData {
  weightSetId: string;
  netuid: number;
  epoch: number;
  status: string;
  block: number | null;
  error: string | null;
  at: string;
}

interface EventOf<T extends EventType, D> {
  /** Strictly increasing across the whole stream (the outbox's bigserial). */
  id: number;
  type: T;
  /** The tournament it belongs to; null for weight sets. */
  tournamentId: string | null;
  data: D;
}

export type CrucibleEvent =
  | EventOf<'run', RunEventData>
  | EventOf<'round', RoundEventData>
  | EventOf<'tournament', TournamentEventData>
  | EventOf<'weights', WeightsEventData>;
