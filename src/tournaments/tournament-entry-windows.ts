import { Injectable } from '@nestjs/common';
import { EntryWindow, EntryWindows } from '../submissions/entry-windows';
import type { TournamentEntity } from './tournament.entity';
import { TournamentRepository } from './tournament.repository';

/** Tournaments' registration windows for the submissions module (EntryWindows). */
@Injectable()
export class TournamentEntryWindows extends EntryWindows {
  constructor(private readonly tournaments: TournamentRepository) {
    super();
  }

  async find(tournamentId: string): Promise<EntryWindow | null> {
    const t = await this.tournaments.findById(tournamentId);
    return t ? toWindow(t) : null;
  }

  async allOpen(now: Date): Promise<EntryWindow[]> {
    return (await this.tournaments.allOpenForRegistration(now)).map(toWindow);
  }
}

function toWindow(t: TournamentEntity): EntryWindow {
  const taskTypes = [...(t.rulebook.tournamentTaskTypes[t.type] ?? [])];
  return { id: t.id, type: t.type, state: t.state, registrationClosesAt: t.registrationClosesAt, taskTypes };
}
