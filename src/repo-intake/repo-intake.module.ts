import { Module } from '@nestjs/common';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';
import { GitRepoIntake } from './git-repo-intake';
import { RepoIntake } from './repo-intake';

export function createRepoIntake(config: AppConfig): RepoIntake {
  const repo = config.sandbox.repo;
  return new GitRepoIntake({
    cacheDir: path.join(config.dataDir, 'repo-cache'),
    token: repo.gitToken,
    allowInsecureSchemes: repo.allowInsecureSchemes,
    allowedHosts: repo.allowedHosts,
    allowPrivateAddresses: repo.allowPrivateAddresses,
    maxRepoBytes: repo.maxRepoMb * 1024 * 1024,
    maxFiles: repo.maxRepoFiles,
    timeoutMs: repo.gitTimeoutSeconds * 1000,
  });
}

/**
 * The one RepoIntake of a process: its lock map guards the one repository cache directory, so the
 * submission checks and the sandbox (role `all` has both) share this module rather than each
 * building their own.
 */
@Module({
  providers: [{ provide: RepoIntake, useFactory: createRepoIntake, inject: [AppConfig] }],
  exports: [RepoIntake],
})
export class RepoIntakeModule {}
