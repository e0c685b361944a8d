import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { OverrunMarker } from '../scoring/overrun';
import type { TournamentRulebook } from '../scoring/tournament-rulebook';
import type { TournamentState } from './tournament-state';

export interface ChampionRef {
  hotkey: string;
  repoUrl: string;
  commitSha: string;
  /** Entrant row of the tournament the champion won, if any (the baseline repo has none). */
  sourceEntrantId?: string;
  /** Consecutive tournaments this champion has defended (0 for a new champion or the baseline). */
  defences: number;
  receivedAt: string;
}

@Entity('tournaments')
@Index('idx_tournaments_type_cycle', ['type', 'cycle'], { unique: true })
@Index('idx_tournaments_state', ['state'])
export class TournamentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** Tournament type, e.g. "text": each type runs its own back-to-back cycles and weight pool. */
  @Column('varchar', { length: 64 }) type!: string;
  @Column('int') cycle!: number;
  @Column('varchar', { length: 32 }) state!: TournamentState;
  /** Why the tournament is where it is (e.g. "waiting: 3 runs hit infra failures"). */
  @Column('text', { nullable: true }) stateReason!: string | null;
  /**
   * The exact rulebook (every outcome-deciding constant) this tournament runs under: validated when the
   * tournament is created (validateTournamentRulebook) and never changed after; fields added since are
   * optional in the type, so rows stored before them read correctly.
   */
  @Column('jsonb') rulebook!: TournamentRulebook;
  @Column('varchar', { length: 32 }) rulebookVersion!: string;
  @Column('timestamptz') registrationOpensAt!: Date;
  @Column('timestamptz') registrationClosesAt!: Date;
  @Column('timestamptz') endsBy!: Date;
  @Column('jsonb', { nullable: true }) defendingChampion!: ChampionRef | null;
  @Column('uuid', { nullable: true }) winnerEntrantId!: string | null;
  /** Final ranking (entrant ids, best first), set when the tournament is finalised. */
  @Column('jsonb', { nullable: true }) ranking!: string[] | null;
  /** Where the winner was published (repo URL, tag, commit), once it was. */
  @Column('jsonb', { nullable: true }) publication!: Record<string, unknown> | null;
  /** Set when the engine finalised it at `endsBy` by the overrun rule (scoring/overrun.ts); sealed with it. */
  @Column('jsonb', { nullable: true }) overrun!: OverrunMarker | null;
  @Column('timestamptz', { nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) finishedAt!: Date | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
  @VersionColumn() version!: number;
}
