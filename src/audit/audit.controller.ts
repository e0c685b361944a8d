import { Controller, Get, Param, ParseIntPipe, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Clock } from '../common/clock';
import { NotFoundError, ValidationError } from '../common/domain-error';
import { AuditBundleRepository } from './audit-bundle.repository';
import type { BundleEnvelope } from './bundle-format';
import { SignerUnpublishedError } from './audit.errors';
import { PublishedSigner } from './published-signer';

class AuditBundleSummaryDto {
  @ApiProperty() sequence!: number;
  @ApiProperty({ enum: ['tournament', 'weights', 'day', 'key_change'] }) kind!: string;
  @ApiProperty({ description: 'Tournament id, weight set id, day or new signer' }) subject!: string;
  @ApiProperty() day!: string;
  @ApiProperty({ nullable: true, type: String }) previousSha256!: string | null;
  @ApiProperty() sha256!: string;
  @ApiProperty() signer!: string;
  @ApiProperty() signature!: string;
  @ApiProperty() sealedAt!: string;
}

class AuditBundleListDto {
  @ApiProperty({ type: [AuditBundleSummaryDto] }) bundles!: AuditBundleSummaryDto[];
}

class AuditBundleEnvelopeDto implements BundleEnvelope {
  @ApiProperty() sha256!: string;
  @ApiProperty() signature!: string;
  @ApiProperty() signer!: string;
  @ApiProperty({ description: 'Canonical JSON of the bundle body, exactly as hashed and signed' }) body!: string;
}

class AuditSignerDto {
  @ApiProperty({ description: 'SS58 address (prefix 42) that signs new bundles' }) address!: string;
  @ApiProperty({ description: 'sr25519 public key, 0x + 64 hex' }) publicKey!: string;
  @ApiProperty({ enum: ['validator_hotkey', 'audit_key'] }) kind!: string;
}

/** Public, signed audit evidence: `crucible audit --source <this server>` reads these. */
@ApiTags('audit')
@Controller('api/audit')
export class AuditController {
  constructor(
    private readonly bundles: AuditBundleRepository,
    private readonly signer: PublishedSigner,
    private readonly clock: Clock,
  ) {}

  @Get('bundles')
  @ApiQuery({ name: 'days', required: false, description: 'bundles sealed in the last N days (default 7)' })
  @ApiQuery({ name: 'fromSequence', required: false, description: 'instead of days: every bundle from this sequence on' })
  @ApiOkResponse({ type: AuditBundleListDto })
  async list(@Query('days') daysText?: string, @Query('fromSequence') fromText?: string): Promise<AuditBundleListDto> {
    let rows;
    if (fromText !== undefined) {
      const from = Number(fromText);
      if (!Number.isInteger(from) || from < 0) throw new ValidationError('fromSequence must be an integer >= 0', ['fromSequence']);
      rows = await this.bundles.fromSequence(from);
    } else {
      const days = daysText === undefined ? 7 : Number(daysText);
      if (!Number.isInteger(days) || days < 1 || days > 366) throw new ValidationError('days must be between 1 and 366', ['days']);
      rows = await this.bundles.sealedSince(new Date(this.clock.now().getTime() - days * 86_400_000));
    }
    return { bundles: rows.map((r) => ({ sequence: r.sequence, kind: r.kind, subject: r.subject, day: r.day, previousSha256: r.previousSha256, sha256: r.sha256, signer: r.signer, signature: r.signature, sealedAt: r.sealedAt.toISOString() })) };
  }

  @Get('bundles/:sequence')
  @ApiOkResponse({ type: AuditBundleEnvelopeDto })
  async get(@Param('sequence', ParseIntPipe) sequence: number): Promise<AuditBundleEnvelopeDto> {
    const b = await this.bundles.bySequence(sequence);
    if (!b) throw new NotFoundError('audit bundle', String(sequence));
    return { sha256: b.sha256, signature: b.signature, signer: b.signer, body: b.body };
  }

  /** The key that signs new bundles (never its secret), as the worker holding it published it. */
  @Get('signer')
  @ApiOkResponse({ type: AuditSignerDto })
  @ApiNotFoundResponse({ description: 'No worker has started yet, so no signer is published' })
  async signerInfo(): Promise<AuditSignerDto> {
    const identity = await this.signer.read();
    if (!identity) throw new SignerUnpublishedError();
    return { address: identity.address, publicKey: identity.publicKey, kind: identity.kind };
  }
}
