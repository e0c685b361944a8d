import { Injectable } from '@nestjs/common';
import { DataSource, MoreThanOrEqual } from 'typeorm';
import { AuditBundleEntity, BundleKind } from './audit-bundle.entity';

export type SealedBundle = Pick<AuditBundleEntity, 'day' | 'kind' | 'subject' | 'sequence' | 'previousSha256' | 'sha256' | 'signature' | 'signer' | 'body' | 'sealedAt'>;
export type BundleSummary = Omit<SealedBundle, 'body'>;

const SUMMARY: Array<keyof BundleSummary> = ['day', 'kind', 'subject', 'sequence', 'previousSha256', 'sha256', 'signature', 'signer', 'sealedAt'];

/** Sealed bundles: written once (unique sequence, one per kind and subject), read by the API and the next seal. */
@Injectable()
export class AuditBundleRepository {
  constructor(private readonly ds: DataSource) {}

  latest(): Promise<AuditBundleEntity | null> {
    return this.ds.getRepository(AuditBundleEntity).findOne({ where: {}, order: { sequence: 'DESC' } });
  }

  /** The head of the chain without its body (a tournament's bundle carries every loss: megabytes to read each tick). */
  latestSummary(): Promise<BundleSummary | null> {
    return this.ds.getRepository(AuditBundleEntity).findOne({ select: SUMMARY, where: {}, order: { sequence: 'DESC' } });
  }

  /** The last bundle of a kind, without its body. */
  latestOfKind(kind: BundleKind): Promise<BundleSummary | null> {
    return this.ds.getRepository(AuditBundleEntity).findOne({ select: SUMMARY, where: { kind }, order: { sequence: 'DESC' } });
  }

  bySubject(kind: BundleKind, subject: string): Promise<AuditBundleEntity | null> {
    return this.ds.getRepository(AuditBundleEntity).findOneBy({ kind, subject });
  }

  bySequence(sequence: number): Promise<AuditBundleEntity | null> {
    return this.ds.getRepository(AuditBundleEntity).findOneBy({ sequence });
  }

  /** Bundles sealed since `since`, oldest first, without bodies. */
  sealedSince(since: Date): Promise<BundleSummary[]> {
    return this.ds.getRepository(AuditBundleEntity).find({ select: SUMMARY, where: { sealedAt: MoreThanOrEqual(since) }, order: { sequence: 'ASC' } });
  }

  /** Bundles from `sequence` on, oldest first, without bodies. */
  fromSequence(sequence: number): Promise<BundleSummary[]> {
    return this.ds.getRepository(AuditBundleEntity).find({ select: SUMMARY, where: { sequence: MoreThanOrEqual(sequence) }, order: { sequence: 'ASC' } });
  }

  async insert(bundle: SealedBundle): Promise<void> {
    await this.ds.getRepository(AuditBundleEntity).insert(bundle);
  }
}
