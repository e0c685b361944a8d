import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Cached metagraph: one row per (netuid, uid), replaced on every sync. */
@Entity('metagraph_neurons')
@Index('idx_metagraph_neurons_hotkey', ['netuid', 'hotkey'], { unique: true })
export class MetagraphNeuronEntity {
  @PrimaryColumn('int') netuid!: number;
  @PrimaryColumn('int') uid!: number;
  @Column('varchar', { length: 64 }) hotkey!: string;
  @Column('varchar', { length: 64 }) coldkey!: string;
  @Column('boolean') validatorPermit!: boolean;
  /** Stake in the smallest unit, exact (numeric). */
  @Column('numeric', { precision: 39, scale: 0 }) stake!: string;
  @Column('int') lastUpdate!: number;
  /** Block the snapshot was read at. */
  @Column('int') syncedBlock!: number;
  @Column('timestamptz') syncedAt!: Date;
}
