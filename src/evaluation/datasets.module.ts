import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DatasetRegistry } from './datasets/dataset-registry';
import { FileLossesReader, LossesReader } from './losses-reader';

export function createDatasetRegistry(config: AppConfig): DatasetRegistry {
  const logger = new Logger(DatasetRegistry.name);
  const registry = DatasetRegistry.withPrivate(config.evaluation.datasetsDir, (problem) => logger.error(problem));
  const ids = registry.list().filter((d) => registry.visibility(d.id).visibility === 'private').map((d) => d.id);
  if (config.evaluation.datasetsDir) logger.log({ dir: config.evaluation.datasetsDir, accepted: ids }, 'private datasets');
  return registry;
}

/**
 * What the API and the worker both read: the dataset registry (ids, kinds, visibility) and stored
 * per-example losses. No evaluator: scoring models is EvaluationModule's, in the worker only.
 */
@Module({
  providers: [
    { provide: DatasetRegistry, useFactory: createDatasetRegistry, inject: [AppConfig] },
    { provide: LossesReader, useClass: FileLossesReader },
  ],
  exports: [DatasetRegistry, LossesReader],
})
export class DatasetsModule {}
