import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One sealed daily audit bundle: canonical JSON, its sha256, the validator hotkey's signature, the previous link. */
@Entity('audit_bundles')
@Index('idx_audit_bundles_day', ['day'], { unique: true })
@Index('idx_audit_bundles_sequence', ['sequence'], { unique: true })
export class AuditBundleEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** UTC day the bundle covers, YYYY-MM-DD ([day 00:00, next day 00:00)). */
  @Column('char', { length: 10 }) day!: string;
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
