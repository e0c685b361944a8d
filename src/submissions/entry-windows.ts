/** A tournament as an entry sees it: whether registration is open and what the entry must support. */
export interface EntryWindow {
  id: string;
  type: string;
  state: string;
  registrationClosesAt: Date;
  /** Task types the entrant's crucible.json must list for this tournament's type. */
  taskTypes: string[];
}

/**
 * The tournaments that take entries. Tournaments sit above submissions, so submissions reads them
 * through this port; TournamentEntryWindows implements it.
 */
export abstract class EntryWindows {
  abstract find(tournamentId: string): Promise<EntryWindow | null>;
  /** Tournaments whose registration is open at `now`, the one closing first first. */
  abstract allOpen(now: Date): Promise<EntryWindow[]>;
}
