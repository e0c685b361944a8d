import { DynamicModule, Module, Type } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { loggingModule } from './common/logging';
import { armPausePoint } from './common/pause-point';
import { AppConfig, Role } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CoreModule } from './core.module';
import { DatabaseModule } from './db/database.module';
import { HealthController } from './health/health.controller';
import { MetricsModule } from './metrics/metrics.module';

/**
 * One binary, three roles: `api` serves HTTP, `worker` runs schedulers and sandboxes, `all` both.
 * Only the worker role imports the schedule module, so an API replica never ticks. Each role loads
 * only its own modules' code: an API replica holds no key and builds no chain client, signer,
 * sandbox, evaluator or engine. Modules shared by both (submissions, repository intake, datasets)
 * are imported once, so role `all` has one instance of each.
 */
@Module({})
export class AppModule {
  /** `logDestination`: where log lines go instead of stdout (a test reading them). */
  static async forRole(config: AppConfig, role: Role = config.role, logDestination?: DestinationStream): Promise<DynamicModule> {
    armPausePoint(config.testPauseAt);
    const imports: Array<Type | DynamicModule> = [ConfigModule.forRoot(config), loggingModule(config, logDestination), DatabaseModule, CoreModule, MetricsModule];
    if (role === 'api' || role === 'all') imports.push((await import('./api.module')).ApiModule);
    if (role === 'worker' || role === 'all') {
      const [{ ScheduleModule }, { WorkerModule }] = await Promise.all([import('@nestjs/schedule'), import('./worker.module')]);
      imports.push(ScheduleModule.forRoot(), WorkerModule);
    }
    return { module: AppModule, imports, controllers: [HealthController] };
  }
}
