import { Module } from '@nestjs/common';

/** Schedulers, run dispatch and reconciliation: only in the worker role. */
@Module({})
export class WorkerModule {}
