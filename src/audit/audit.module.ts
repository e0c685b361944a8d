import { Module } from '@nestjs/common';
import { ArtifactArchive } from './artifact-archive';
import { AuditBundleRepository } from './audit-bundle.repository';
import { AuditSourceRepository } from './audit-source.repository';
import { PublishedSigner } from './published-signer';

/** Reading sealed evidence (the /api/audit and /api/artifacts routes): bundles, archived models, the signer's public identity. No key. */
@Module({
  providers: [AuditSourceRepository, AuditBundleRepository, ArtifactArchive, PublishedSigner],
  exports: [AuditSourceRepository, AuditBundleRepository, ArtifactArchive, PublishedSigner],
})
export class AuditModule {}
