import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { WeightsPreview, WeightsPreviewService } from './weights-preview.service';

@ApiTags('weights')
@Controller('api/weights')
export class WeightsController {
  constructor(private readonly weights: WeightsPreviewService) {}

  @Get('preview')
  @ApiOperation({ summary: 'The uid -> weight vector the validator would set now (floats, u16, and why)' })
  preview(): Promise<WeightsPreview> {
    return this.weights.preview();
  }
}
