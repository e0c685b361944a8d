import { Module } from '@nestjs/common';
import { RunLogController } from './run-log.controller';
import { RunLogRepository } from './run-log.repository';
import { RunLogService } from './run-log.service';

/** Miners' logs over HTTP (API role): stored with the run by the worker, served by any replica. */
@Module({
  controllers: [RunLogController],
  providers: [RunLogRepository, RunLogService],
})
export class RunLogsModule {}
