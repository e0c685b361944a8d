import { Controller, Get, Param, ParseIntPipe, DefaultValuePipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { NotFoundError, ValidationError } from '../common/domain-error';
import { AuditBundleRepository } from './audit-bundle.repository';
import type { BundleEnvelope } from './bundle-format';

class AuditBundleSummaryDto {
  @ApiProperty() day!: string;
  @ApiProperty() sequence!: number;
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

/** Public, signed audit evidence: `crucible audit --source <this server>` reads these. */
@ApiTags('audit')
@Controller('api/audit')
export class AuditController {
  constructor(private readonly bundles: AuditBundleRepository) {}

  @Get('bundles')
  @ApiOkResponse({ type: AuditBundleListDto })
  async list(@Query('days', new DefaultValuePipe(7), ParseIntPipe) days: number): Promise<AuditBundleListDto> {
    if (days < 1 || days > 366) throw new ValidationError('days must be between 1 and 366', ['days']);
    const rows = await this.bundles.listRecent(days);
    return { bundles: rows.map((r) => ({ day: r.day, sequence: r.sequence, previousSha256: r.previousSha256, sha256: r.sha256, signer: r.signer, signature: r.signature, sealedAt: r.sealedAt.toISOString() })) };
  }

  @Get('bundles/:day')
  @ApiOkResponse({ type: AuditBundleEnvelopeDto })
  async get(@Param('day') day: string): Promise<AuditBundleEnvelopeDto> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new ValidationError('day must be YYYY-MM-DD', ['day']);
    const b = await this.bundles.byDay(day);
    if (!b) throw new NotFoundError('audit bundle', day);
    return { sha256: b.sha256, signature: b.signature, signer: b.signer, body: b.body };
  }
}
