import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EntrantEntity } from '../../src/submissions/entrant.entity';
import { TournamentFactory } from '../../src/tournaments/tournament.factory';
import { newTournamentRulebook, TournamentRulebook } from '../../src/scoring/tournament-rulebook';
import type { TournamentEntity } from '../../src/tournaments/tournament.entity';
import type { INestApplication } from '@nestjs/common';
import { Transactor } from '../../src/common/transactor';

/**
 * The default rulebook with text tournaments on causal-lm alone (grammar-lm-v1, the unigram baseline),
 * the fast task most suites play on; the default text tournament mixes instruct, preference and reward.
 */
export function causalLmTextRules(): Pick<TournamentRulebook, 'tournamentTaskTypes' | 'tournamentTypes'> {
  const rb = newTournamentRulebook();
  return {
    tournamentTaskTypes: { ...rb.tournamentTaskTypes, text: ['causal-lm'] },
    tournamentTypes: { ...rb.tournamentTypes, text: { ...rb.tournamentTypes!.text, taskTypeOdds: { 'causal-lm': 1 }, bossTaskTypes: ['causal-lm'] } },
  };
}

/** A tournament whose registration already closed, with a rulebook for fast tests (text on causal-lm unless `rules` say otherwise). */
export async function createClosedTournament(app: INestApplication, rules: Partial<TournamentRulebook> = {}, type = 'text'): Promise<TournamentEntity> {
  const factory = app.get(TournamentFactory);
  // The whole emission to text (the defaults also pool image): these tests read the text winner's weight.
  const rulebook = { ...newTournamentRulebook({ schedule: { registrationMinutes: 1 } }), pools: { text: 1 }, ...causalLmTextRules(), ...rules };
  return app.get(Transactor).run(() => factory.createNextCycle({ type, opensAt: new Date(Date.now() - 3600_000), rulebook }));
}

/** Entrants as if their signed submissions had been accepted (orchestration tests skip signing). */
export async function addEntrants(
  app: INestApplication,
  tournamentId: string,
  miners: Array<{ repoUrl: string; commitSha?: string; uid?: number; hotkey?: string }>,
): Promise<EntrantEntity[]> {
  const repo = app.get(DataSource).getRepository(EntrantEntity);
  const base = Date.parse('2026-01-01T00:00:00Z');
  const rows = miners.map((m, i) =>
    repo.create({
      tournamentId,
      hotkey: m.hotkey ?? `hotkey-${i.toString().padStart(4, '0')}`,
      coldkey: null,
      uid: m.uid ?? i + 1,
      repoUrl: m.repoUrl,
      commitSha: m.commitSha ?? randomBytes(20).toString('hex'),
      treeHash: randomBytes(20).toString('hex'),
      signature: `0x${randomBytes(64).toString('hex')}`,
      status: 'accepted',
      rejectionReason: null,
      isChampion: false,
      receivedAt: new Date(base + i * 1000),
    }),
  );
  for (let i = 0; i < rows.length; i += 200) await repo.insert(rows.slice(i, i + 200));
  return repo.find({ where: { tournamentId }, order: { receivedAt: 'ASC' } });
}
