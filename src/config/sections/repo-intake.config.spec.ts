import { describeVariables, readSection } from '../../../test/support/config-cases';
import { readRepoIntakeConfig, type RepoIntakeConfig } from './repo-intake.config';

describe('repo intake config', () => {
  describeVariables<RepoIntakeConfig>(readRepoIntakeConfig, [
    { name: 'CRUCIBLE_GIT_TOKEN', get: (c) => c.gitToken, unset: undefined, valid: [['glpat-abc', 'glpat-abc']] },
    {
      name: 'CRUCIBLE_GIT_ALLOW_INSECURE',
      get: (c) => [c.allowInsecureSchemes, c.allowPrivateAddresses, c.allowedHosts],
      unset: [false, false, ['github.com', 'gitlab.com', 'huggingface.co']],
      // Insecure mode also reaches private addresses and, unless hosts are listed, any host.
      valid: [['true', [true, true, null]], ['false', [false, false, ['github.com', 'gitlab.com', 'huggingface.co']]]],
      invalid: [['only-tests', 'CRUCIBLE_GIT_ALLOW_INSECURE must be true or false (got "only-tests")']],
    },
    {
      name: 'CRUCIBLE_GIT_ALLOWED_HOSTS',
      get: (c) => c.allowedHosts,
      unset: ['github.com', 'gitlab.com', 'huggingface.co'],
      valid: [
        ['GitHub.com, git.example.org', ['github.com', 'git.example.org']],
        ['*', null],
        ['github.com,*', null],
      ],
    },
    {
      name: 'CRUCIBLE_REPO_MAX_MB',
      get: (c) => c.maxRepoMb,
      unset: 50,
      valid: [['1', 1], ['65536', 65536]],
      invalid: [['0', 'CRUCIBLE_REPO_MAX_MB must be an integer between 1 and 65536 (got "0")']],
    },
    {
      name: 'CRUCIBLE_REPO_MAX_FILES',
      get: (c) => c.maxRepoFiles,
      unset: 10000,
      valid: [['1', 1], ['1000000', 1000000]],
      invalid: [['1000001', 'CRUCIBLE_REPO_MAX_FILES must be an integer between 1 and 1000000 (got "1000001")']],
    },
    {
      name: 'CRUCIBLE_GIT_TIMEOUT_SECONDS',
      get: (c) => c.gitTimeoutSeconds,
      unset: 120,
      valid: [['5', 5], ['3600', 3600]],
      invalid: [['4', 'CRUCIBLE_GIT_TIMEOUT_SECONDS must be an integer between 5 and 3600 (got "4")']],
    },
  ]);

  it('listed hosts still apply in insecure mode', () => {
    const { config } = readSection(readRepoIntakeConfig, { CRUCIBLE_GIT_ALLOW_INSECURE: 'true', CRUCIBLE_GIT_ALLOWED_HOSTS: 'git.local' });
    expect(config.allowedHosts).toEqual(['git.local']);
    expect(config.allowInsecureSchemes).toBe(true);
  });
});
