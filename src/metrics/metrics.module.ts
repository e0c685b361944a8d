import { Module } from '@nestjs/common';
import { MetricsReadRepository } from './metrics-read.repository';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** GET /metrics on every role's HTTP server. */
@Module({
  controllers: [MetricsController],
  providers: [MetricsReadRepository, MetricsService],
})
export class MetricsModule {}
