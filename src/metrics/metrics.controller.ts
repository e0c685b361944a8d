import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsService } from './metrics.service';

@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  /** Prometheus text format (every role: the API's requests, the worker's sandboxes and ticks, both the database counts). */
  @Get()
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus exposition format 0.0.4' })
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.text();
    // Set as is: Express's type() would insert a charset before Prometheus's version parameter.
    res.status(200).setHeader('Content-Type', this.metrics.contentType);
    res.end(text);
  }
}
