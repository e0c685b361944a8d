import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What a bundle seals: a completed tournament's evidence, one weight set, the end of a UTC day, or
 * a change of signing key. Several bundles may share a day; the sequence orders them all.
 */
export type BundleKind = 'tournament' | 'weights' | 'day' | 'key_change';

/** One sealed audit bundle: canonical JSON, its sha256, the signer's signature, the previous link. */
@Entity('audit_bundles')
@Index('idx_audit_bundles_sequence', ['sequence'], { unique: true })
@Index('idx_audit_bundles_subject', ['kind', 'subject'], { unique: true })
export class AuditBundleEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** UTC day the bundle was sealed on (for a 'day' bundle: the day it closes), YYYY-MM-DD. */
  @Column('char', { length: 10 }) day!: string;
  @Column('varchar', { length: 16 }) kind!: BundleKind;
  /** What it seals: tournament id, weight set id, the day, or the new signer; unique per kind. */
  @Column('varchar', { length: 64 }) subject!: string;
  /** 0 for the first bundle, then +1: the hash chain's order. */
  @Column('int') sequence!: number;
  /** sha256 of the previous bundle's canonical body; null for the first. */
  @Column('char', { length: 64, nullable: true }) previousSha256!: string | null;
  /** sha256 (hex) of `body`. */
  @Column('char', { length: 64 }) sha256!: string;
  /** sr25519 signature (0x + 128 hex) by `signer` over the ASCII hex sha256. */
  @Column('varchar', { length: 130 }) signature!: string;
  @Column('varchar', { length: 64 }) signer!: string;
  /** The canonical JSON (sorted keys, no whitespace) exactly as hashed and signed. */
  @Column('text') body!: string;
  @Column('timestamptz') sealedAt!: Date;
}
