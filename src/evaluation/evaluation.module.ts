import { Module } from '@nestjs/common';
import { DatasetsModule } from './datasets.module';
import { OnnxTaskDataService } from './onnx-task-data.service';
import { TaskDataService } from './task-data';

/** Splits, commitments and ONNX evaluation (the worker's); datasets and losses come from DatasetsModule. */
@Module({
  imports: [DatasetsModule],
  providers: [{ provide: TaskDataService, useClass: OnnxTaskDataService }],
  exports: [TaskDataService, DatasetsModule],
})
export class EvaluationModule {}
