import { Injectable } from '@nestjs/common';
import { BASELINE_HOTKEY } from '../../scoring/tournament-evidence';
import { EntrantRepository } from '../../submissions/entrant.repository';
import { WinnerPublisher } from '../outcome-ports';
import type { TournamentEntity } from '../tournament.entity';
import { TournamentRepository } from '../tournament.repository';
import { TournamentTransitions } from '../tournament-transitions';
import { TournamentLock } from './tournament-lock';

/** finalised -> published: the winner's code is published (outside the lock, idempotent), then recorded. */
@Injectable()
export class PublishWinner {
  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly entrants: EntrantRepository,
    private readonly publisher: WinnerPublisher,
    private readonly transitions: TournamentTransitions,
    private readonly lock: TournamentLock,
  ) {}

  async run(id: string): Promise<boolean> {
    const t = await this.tournaments.findById(id);
    if (!t || t.state !== 'finalised') return false;
    const winner = t.winnerEntrantId ? await this.entrants.findById(t.winnerEntrantId) : null;
    const record =
      !winner || winner.hotkey === BASELINE_HOTKEY
        ? { status: 'skipped' as const, detail: 'no miner won the title (the baseline champion kept it)' }
        : await this.publisher.publish(t, winner, await this.report(t));
    return this.lock.record(id, 'finalised', async (locked) => {
      locked.publication = { ...record };
      await this.transitions.move(locked, 'published', `winner publication: ${record.status} (${record.detail})`, { publication: record });
    });
  }

  private async report(t: TournamentEntity): Promise<string> {
    const rounds = await this.tournaments.rounds(t.id);
    const tasks = await this.tournaments.tasks(t.id);
    const lines = [
      `# ${t.type} tournament, cycle ${t.cycle}`,
      '',
      `Tournament id: ${t.id}`,
      `Rulebook version: ${t.rulebookVersion}`,
      '',
      '## Rounds',
      ...rounds.map((r) => `- round ${r.index} (${r.kind}): advancing ${JSON.stringify(r.advancing ?? [])}`),
      '',
      '## Tasks (seed and test-set commitments)',
      ...tasks.map((x) => `- ${x.id} ${x.taskType} ${x.datasetId}: seed sha256 ${x.seedCommitment}, test set sha256 ${x.testSetCommitment}`),
    ];
    return lines.join('\n') + '\n';
  }
}
