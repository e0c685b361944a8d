import { describeVariables, readSection } from '../../../test/support/config-cases';
import { readPublishingConfig, type PublishingConfig } from './publishing.config';

describe('publishing config', () => {
  describeVariables<PublishingConfig>(readPublishingConfig, [
    { name: 'CRUCIBLE_GITHUB_TOKEN', get: (c) => c.githubToken, unset: undefined, valid: [['ghp_abc', 'ghp_abc']] },
    { name: 'CRUCIBLE_GIT_BASE_URL', get: (c) => c.gitBaseUrl, unset: 'https://github.com', valid: [['https://git.example.org', 'https://git.example.org']] },
    {
      name: 'CRUCIBLE_GITHUB_API_URL',
      get: (c) => c.githubApiUrl,
      unset: 'https://api.github.com',
      valid: [['https://git.example.org/api/v3', 'https://git.example.org/api/v3']],
    },
    {
      name: 'CRUCIBLE_GIT_AUTHOR',
      get: (c) => c.gitAuthor,
      unset: 'Crucible <crucible@users.noreply.github.com>',
      valid: [['Ada Lovelace <ada@example.org>', 'Ada Lovelace <ada@example.org>']],
      invalid: [
        ['ada@example.org', 'CRUCIBLE_GIT_AUTHOR must look like "Name <email>"'],
        ['Ada <ada at example.org>', 'CRUCIBLE_GIT_AUTHOR must look like "Name <email>"'],
        ['<ada@example.org>', 'CRUCIBLE_GIT_AUTHOR must look like "Name <email>"'],
      ],
    },
  ]);
  // With an org, the token is required.
  describeVariables<PublishingConfig>(readPublishingConfig, [{ name: 'CRUCIBLE_GITHUB_ORG', get: (c) => c.githubOrg, unset: undefined, valid: [['winners', 'winners']] }], {
    CRUCIBLE_GITHUB_TOKEN: 'ghp_abc',
  });

  it('CRUCIBLE_GITHUB_ORG without a token is refused', () => {
    expect(readSection(readPublishingConfig, { CRUCIBLE_GITHUB_ORG: 'winners' }).problems).toEqual(['CRUCIBLE_GITHUB_TOKEN is required when CRUCIBLE_GITHUB_ORG is set']);
  });
});
