import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type WeightSetStatus = 'pending' | 'committed' | 'set' | 'failed' | 'dry_run';

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
  @Column('int', { nullable: true }) block!: number | null;
  @Column('varchar', { length: 80, nullable: true }) extrinsicHash!: string | null;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('int', { default: 0 }) tries!: number;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { nullable: true }) settledAt!: Date | null;
}
