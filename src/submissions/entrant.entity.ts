import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type EntrantStatus = 'accepted' | 'rejected' | 'withdrawn';

/** A miner's signed submission to one tournament; accepted ones are the tournament's entrants. */
@Entity('entrants')
@Index('idx_entrants_live_hotkey', ['tournamentId', 'hotkey'], { unique: true, where: `"status" = 'accepted' AND NOT "isChampion"` })
@Index('idx_entrants_signature', ['signature'], { unique: true, where: `NOT "isChampion"` })
@Index('idx_entrants_tournament_received', ['tournamentId', 'receivedAt'])
export class EntrantEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tournamentId!: string;
  @Column('varchar', { length: 64 }) hotkey!: string;
  @Column('varchar', { length: 64, nullable: true }) coldkey!: string | null;
  @Column('int', { nullable: true }) uid!: number | null;
  @Column('varchar', { length: 512 }) repoUrl!: string;
  @Column('char', { length: 40 }) commitSha!: string;
  @Column('char', { length: 40, nullable: true }) treeHash!: string | null;
  /** sr25519 signature (0x + 128 hex) over the canonical submission message. */
  @Column('varchar', { length: 130 }) signature!: string;
  @Column('varchar', { length: 16 }) status!: EntrantStatus;
  @Column('text', { nullable: true }) rejectionReason!: string | null;
  /** True for the defending champion's entry (or the configured baseline repo). */
  @Column('boolean', { default: false }) isChampion!: boolean;
  @Column('int', { nullable: true }) eliminatedInRound!: number | null;
  /** Priority for ties and duplicate ownership: earlier wins. */
  @Column('timestamptz') receivedAt!: Date;
}
