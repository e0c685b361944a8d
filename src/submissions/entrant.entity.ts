import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type EntrantStatus = 'accepted' | 'rejected' | 'withdrawn';
/** How the entry arrived: a signed HTTP submission, or the hotkey's commitment on the subnet. */
export type EntrantSource = 'http' | 'chain';

/** A miner's signed submission to one tournament; accepted ones are the tournament's entrants. */
@Entity('entrants')
@Index('idx_entrants_live_hotkey', ['tournamentId', 'hotkey'], { unique: true, where: `"status" = 'accepted' AND NOT "isChampion"` })
@Index('idx_entrants_signature', ['signature'], { unique: true, where: `NOT "isChampion"` })
@Index('idx_entrants_tournament_received', ['tournamentId', 'receivedAt'])
// One row per commitment read: a second read of the same commitment (next tick, another worker) is a no-op.
@Index('idx_entrants_chain_commitment', ['tournamentId', 'hotkey', 'commitmentBlock'], { unique: true, where: `"source" = 'chain'` })
export class EntrantEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tournamentId!: string;
  @Column('varchar', { length: 64 }) hotkey!: string;
  @Column('varchar', { length: 64, nullable: true }) coldkey!: string | null;
  @Column('int', { nullable: true }) uid!: number | null;
  @Column('varchar', { length: 512 }) repoUrl!: string;
  @Column('char', { length: 40 }) commitSha!: string;
  @Column('char', { length: 40, nullable: true }) treeHash!: string | null;
  /**
   * sr25519 signature (0x + 128 hex) over the canonical submission message; `champion:<id>` for a
   * champion's entry; null for a chain entry (the commitment extrinsic was signed by the hotkey).
   */
  @Column('varchar', { length: 130, nullable: true }) signature!: string | null;
  @Column('varchar', { length: 8, default: 'http' }) source!: EntrantSource;
  /** Chain entries: the block the commitment was written in (CommitmentOf.block). */
  @Column('int', { nullable: true }) commitmentBlock!: number | null;
  /** Chain entries: the block the worker read the commitment at. */
  @Column('int', { nullable: true }) readAtBlock!: number | null;
  @Column('varchar', { length: 16 }) status!: EntrantStatus;
  @Column('text', { nullable: true }) rejectionReason!: string | null;
  /** True for the defending champion's entry (or the configured baseline repo). */
  @Column('boolean', { default: false }) isChampion!: boolean;
  @Column('int', { nullable: true }) eliminatedInRound!: number | null;
  /** Priority for ties and duplicate ownership: earlier wins. */
  @Column('timestamptz') receivedAt!: Date;
}
