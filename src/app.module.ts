import { DynamicModule, Module, Type } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig, Role } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CoreModule } from './core.module';
import { DatabaseModule } from './db/database.module';
import { HealthController } from './health/health.controller';
import { ApiModule } from './api.module';
import { WorkerModule } from './worker.module';

/**
 * One binary, three roles: `api` serves HTTP, `worker` runs schedulers and sandboxes, `all` both.
 * Only the worker role imports the schedule module, so an API replica never ticks.
 */
@Module({})
export class AppModule {
  static forRole(config: AppConfig, role: Role = config.role): DynamicModule {
    const imports: Array<Type | DynamicModule> = [ConfigModule.forRoot(config), DatabaseModule, CoreModule];
    if (role === 'api' || role === 'all') imports.push(ApiModule);
    if (role === 'worker' || role === 'all') imports.push(ScheduleModule.forRoot(), WorkerModule);
    return { module: AppModule, imports, controllers: [HealthController] };
  }
}
