import * as path from 'node:path';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { HotkeyRegistry, OpenHotkeyRegistry } from './hotkey-registry';
import { GitRepoIntake } from './repo-intake/git-repo-intake';
import { RepoIntake } from './repo-intake/repo-intake';
import { SubmissionsService } from './submissions.service';

@Module({
  providers: [
    SubmissionsService,
    {
      provide: RepoIntake,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new GitRepoIntake({
          cacheDir: path.join(config.dataDir, 'repos'),
          token: config.sandbox.repo.gitToken,
          allowInsecureSchemes: config.sandbox.repo.allowInsecureSchemes,
          maxRepoBytes: config.sandbox.repo.maxRepoMb * 1024 * 1024,
          timeoutMs: config.sandbox.repo.gitTimeoutSeconds * 1000,
        }),
    },
    { provide: HotkeyRegistry, useClass: OpenHotkeyRegistry },
  ],
  exports: [SubmissionsService, RepoIntake],
})
export class SubmissionsModule {}
