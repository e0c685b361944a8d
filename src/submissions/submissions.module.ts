import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { createRepoIntake } from '../sandbox/sandbox.module';
import { HotkeyRegistry, OpenHotkeyRegistry, StaticHotkeyRegistry } from './hotkey-registry';
import { RepoIntake } from './repo-intake/repo-intake';
import { SubmissionsService } from './submissions.service';

@Module({
  providers: [
    SubmissionsService,
    { provide: RepoIntake, useFactory: createRepoIntake, inject: [AppConfig] },
    {
      provide: HotkeyRegistry,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        config.chain.staticMetagraph ? new StaticHotkeyRegistry(config.chain.staticMetagraph) : new OpenHotkeyRegistry(),
    },
  ],
  exports: [SubmissionsService, RepoIntake],
})
export class SubmissionsModule {}
