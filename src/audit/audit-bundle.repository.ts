import { Injectable } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { AuditBundleEntity } from './audit-bundle.entity';

export type SealedBundle = Pick<AuditBundleEntity, 'day' | 'sequence' | 'previousSha256' | 'sha256' | 'signature' | 'signer' | 'body' | 'sealedAt'>;

/** Sealed bundles: written once (unique day and sequence), read by the API and the next seal. */
@Injectable()
export class AuditBundleRepository {
  constructor(private readonly ds: DataSource) {}

  latest(): Promise<AuditBundleEntity | null> {
    return this.ds.getRepository(AuditBundleEntity).findOne({ where: {}, order: { sequence: 'DESC' } });
  }

  latestBefore(day: string): Promise<AuditBundleEntity | null> {
    return this.ds.getRepository(AuditBundleEntity).findOne({ where: { day: LessThan(day) }, order: { sequence: 'DESC' } });
  }

  byDay(day: string): Promise<AuditBundleEntity | null> {
    return this.ds.getRepository(AuditBundleEntity).findOneBy({ day });
  }

  /** The newest `limit` bundles, oldest first, without bodies. */
  async listRecent(limit: number): Promise<Array<Omit<SealedBundle, 'body'>>> {
    const rows = await this.ds.getRepository(AuditBundleEntity).find({
      select: ['day', 'sequence', 'previousSha256', 'sha256', 'signature', 'signer', 'sealedAt'],
      order: { sequence: 'DESC' },
      take: limit,
    });
    return rows.reverse();
  }

  async insert(bundle: SealedBundle): Promise<void> {
    await this.ds.getRepository(AuditBundleEntity).insert(bundle);
  }
}
