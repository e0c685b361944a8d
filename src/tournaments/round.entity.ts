import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { RoundDecisionRecord } from './round-decision';

export type RoundKind = 'group' | 'knockout' | 'boss';
export type RoundState = 'running' | 'waiting_infra' | 'decided';

@Entity('rounds')
@Index('idx_rounds_tournament_index', ['tournamentId', 'index'], { unique: true })
export class RoundEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tournamentId!: string;
  @Column('int') index!: number;
  @Column('varchar', { length: 16 }) kind!: RoundKind;
  @Column('varchar', { length: 16 }) state!: RoundState;
  @Column('text', { nullable: true }) stateReason!: string | null;
  /** Entrant ids that advance, set when the round is decided. */
  @Column('jsonb', { nullable: true }) advancing!: string[] | null;
  /** The round's decision record (its plan, per-task ranks, boss verdict and margins). */
  @Column('jsonb', { nullable: true }) decision!: RoundDecisionRecord | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { nullable: true }) decidedAt!: Date | null;
}
