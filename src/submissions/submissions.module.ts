import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { createRepoIntake } from '../sandbox/sandbox.module';
import { HotkeyRegistry, OpenHotkeyRegistry } from './hotkey-registry';
import { RepoIntake } from './repo-intake/repo-intake';
import { SubmissionsService } from './submissions.service';

@Module({
  providers: [
    SubmissionsService,
    { provide: RepoIntake, useFactory: createRepoIntake, inject: [AppConfig] },
    { provide: HotkeyRegistry, useClass: OpenHotkeyRegistry },
  ],
  exports: [SubmissionsService, RepoIntake],
})
export class SubmissionsModule {}
