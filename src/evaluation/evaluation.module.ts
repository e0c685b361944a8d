import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DatasetRegistry } from './datasets/dataset-registry';
import { OnnxTaskDataService } from './onnx-task-data.service';
import { TaskDataService } from './task-data';

/** Datasets, splits, commitments and ONNX evaluation. Needs the global AppConfig. */
@Module({
  providers: [
    {
      provide: DatasetRegistry,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const logger = new Logger(DatasetRegistry.name);
        const registry = DatasetRegistry.withPrivate(config.evaluation.datasetsDir, (problem) => logger.error(problem));
        const ids = registry.list().filter((d) => registry.visibility(d.id).visibility === 'private').map((d) => d.id);
        if (config.evaluation.datasetsDir) logger.log({ msg: 'private datasets', dir: config.evaluation.datasetsDir, accepted: ids });
        return registry;
      },
    },
    { provide: TaskDataService, useClass: OnnxTaskDataService },
  ],
  exports: [TaskDataService, DatasetRegistry],
})
export class EvaluationModule {}
