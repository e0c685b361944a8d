import * as fs from 'node:fs';
import { Controller, Get, Header, Param, StreamableFile } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '../common/domain-error';
import { ArtifactArchive } from './artifact-archive';
import { AuditSourceRepository } from './audit-source.repository';
import { ArtifactUnavailableError, AuditErrorCode } from './audit.errors';

/** Archived model files, by sha256, once their tournament has revealed its seeds (`crucible audit --reevaluate` reads them). */
@ApiTags('audit')
@Controller('api/artifacts')
export class ArtifactsController {
  constructor(
    private readonly archive: ArtifactArchive,
    private readonly source: AuditSourceRepository,
  ) {}

  @Get(':sha256')
  @Header('Content-Type', 'application/octet-stream')
  @ApiOkResponse({ description: 'The ONNX model file exactly as scored' })
  @ApiNotFoundResponse({ description: 'Unknown, not revealed yet (with the reason), or past retention' })
  async get(@Param('sha256') sha256: string): Promise<StreamableFile> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ValidationError('sha256 must be 64 lower-case hex digits', ['sha256']);
    const status = await this.source.modelStatus(sha256);
    if (!status.scored) throw new ArtifactUnavailableError(AuditErrorCode.ArtifactUnknown, `no scored model has sha256 ${sha256}`, sha256);
    if (!status.revealed) {
      throw new ArtifactUnavailableError(AuditErrorCode.ArtifactNotRevealed, `model ${sha256} is served once its tournament has revealed its task seeds`, sha256);
    }
    const file = this.archive.pathOf(sha256);
    if (!fs.existsSync(file)) throw new ArtifactUnavailableError(AuditErrorCode.ArtifactNotArchived, `model ${sha256} is not in the archive (kept for its retention period only)`, sha256);
    return new StreamableFile(fs.createReadStream(file));
  }
}
