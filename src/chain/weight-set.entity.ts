import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { WeightBasis } from '../scoring/tournament-evidence';

export type WeightSetStatus = 'pending' | 'committed' | 'set' | 'failed' | 'dry_run';

/** One try at sending (or committing / revealing) the vector, kept for operators and auditors. */
export interface WeightSetAttempt {
  at: string;
  action: 'set' | 'commit' | 'reveal';
  ok: boolean;
  block: number | null;
  error: string | null;
}

/** One weight vector the validator set (or tried to set) on chain, per epoch. */
@Entity('weight_sets')
@Index('idx_weight_sets_epoch', ['netuid', 'epoch'], { unique: true })
export class WeightSetEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('int') netuid!: number;
  /** Epoch number (block / tempo) the vector is for: never sent twice for the same epoch. */
  @Column('int') epoch!: number;
  @Column('int', { array: true }) uids!: number[];
  @Column('int', { array: true }) values!: number[];
  /** The float weights before u16 conversion, keyed by uid, for auditors. */
  @Column('jsonb') floats!: Record<string, number>;
  @Column('varchar', { length: 24 }) versionKey!: string;
  @Column('varchar', { length: 16 }) status!: WeightSetStatus;
  /** Block that included setWeights (or revealWeights). */
  @Column('int', { nullable: true }) block!: number | null;
  @Column('varchar', { length: 80, nullable: true }) extrinsicHash!: string | null;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('int', { default: 0 }) tries!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { nullable: true }) settledAt!: Date | null;
  /** SS58 of the validator hotkey that signs; null in dry-run without a wallet. */
  @Column('varchar', { length: 64, nullable: true }) hotkey!: string | null;
  /** Commit-reveal: the salt (kept until the reveal), the committed hash and its block. */
  @Column('int', { array: true, nullable: true }) salt!: number[] | null;
  @Column('varchar', { length: 66, nullable: true }) commitHash!: string | null;
  @Column('int', { nullable: true }) commitBlock!: number | null;
  @Column('int', { nullable: true }) revealFromBlock!: number | null;
  @Column('int', { nullable: true }) revealUntilBlock!: number | null;
  /** Block of the first send: a later read-back at or after it that equals the vector means "already set". */
  @Column('int', { nullable: true }) firstSentBlock!: number | null;
  /** Weights(netuid, uid) read back after inclusion, [uid, u16] pairs. */
  @Column('jsonb', { nullable: true }) readBack!: Array<[number, number]> | null;
  @Column('jsonb', { default: () => `'[]'` }) attempts!: WeightSetAttempt[];
  /** What the vector was made from: tournaments, burn uid and the metagraph snapshot (block, hotkey -> uid). */
  @Column('jsonb', { nullable: true }) basis!: WeightBasis | null;
}
