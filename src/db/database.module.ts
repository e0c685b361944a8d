import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TransactionContext, Transactor } from '../common/transactor';
import { AppConfig } from '../config/app-config';
import { AsyncLocalTransactor } from './async-local-transactor';
import { openDataSource } from './data-source';

/** Opens the database (and migrates, unless told not to) before anything else starts. */
@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const logger = new Logger('Database');
        const ds = await openDataSource(config.database, { migrate: config.database.migrateOnStart });
        logger.log(
          { engine: config.database.url ? 'postgresql' : 'pglite', dir: config.database.url ? undefined : config.database.embeddedDir },
          'database ready',
        );
        return ds;
      },
    },
    AsyncLocalTransactor,
    { provide: Transactor, useExisting: AsyncLocalTransactor },
    { provide: TransactionContext, useExisting: AsyncLocalTransactor },
  ],
  exports: [DataSource, Transactor, TransactionContext],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}
