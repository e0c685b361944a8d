import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { UnconfiguredWinnerPublisher, WinnerPublisher } from '../tournaments/outcome-ports';
import { GithubPublisher } from './github-publisher';
import { Publisher } from './publisher';
import { PublishingError, PublishingErrorCode } from './publishing.errors';
import { PublishingWinnerPublisher } from './winner-publisher.adapter';

class UnconfiguredPublisher extends Publisher {
  publish(): never {
    throw new PublishingError(PublishingErrorCode.NotConfigured, 'no GitHub org configured (CRUCIBLE_GITHUB_ORG)');
  }
}

export function createPublisher(config: AppConfig): Publisher {
  const p = config.publishing;
  if (!p.githubOrg || !p.githubToken) return new UnconfiguredPublisher();
  return new GithubPublisher({ org: p.githubOrg, token: p.githubToken, gitBaseUrl: p.gitBaseUrl, apiUrl: p.githubApiUrl, author: p.gitAuthor });
}

export function createWinnerPublisher(config: AppConfig, publisher: Publisher): WinnerPublisher {
  return config.publishing.githubOrg ? new PublishingWinnerPublisher(publisher) : new UnconfiguredWinnerPublisher();
}

/** Winner publishing: the Publisher port (git + GitHub REST) and the engine's WinnerPublisher. */
@Module({
  providers: [
    { provide: Publisher, useFactory: createPublisher, inject: [AppConfig] },
    { provide: WinnerPublisher, useFactory: createWinnerPublisher, inject: [AppConfig, Publisher] },
  ],
  exports: [Publisher, WinnerPublisher],
})
export class PublishingModule {}
