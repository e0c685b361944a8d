import { Module } from '@nestjs/common';
import { DatasetRegistry } from './datasets/dataset-registry';
import { OnnxTaskDataService } from './onnx-task-data.service';
import { TaskDataService } from './task-data';

/** Datasets, splits, commitments and ONNX evaluation. Needs the global AppConfig. */
@Module({
  providers: [
    { provide: DatasetRegistry, useFactory: () => new DatasetRegistry() },
    { provide: TaskDataService, useClass: OnnxTaskDataService },
  ],
  exports: [TaskDataService, DatasetRegistry],
})
export class EvaluationModule {}
