import type { EnvReader } from '../env-reader';

export const DEFAULT_GIT_AUTHOR = 'Crucible <crucible@users.noreply.github.com>';

export interface PublishingConfig {
  /** Where winners are published; unset: nothing is published. */
  githubOrg?: string;
  /** Required with githubOrg. */
  githubToken?: string;
  gitBaseUrl: string;
  githubApiUrl: string;
  /** Author and committer of the RESULTS.md commit and of the tag: "Name <email>". */
  gitAuthor: string;
}

export function readPublishingConfig(r: EnvReader): PublishingConfig {
  const githubOrg = r.str('CRUCIBLE_GITHUB_ORG');
  const githubToken = r.str('CRUCIBLE_GITHUB_TOKEN');
  if (githubOrg && !githubToken) r.problem('CRUCIBLE_GITHUB_TOKEN is required when CRUCIBLE_GITHUB_ORG is set');
  const gitAuthor = r.str('CRUCIBLE_GIT_AUTHOR', DEFAULT_GIT_AUTHOR);
  if (!/^[^<>]+ <[^<>\s]+>$/.test(gitAuthor)) r.problem('CRUCIBLE_GIT_AUTHOR must look like "Name <email>"');
  return {
    githubOrg,
    githubToken,
    gitBaseUrl: r.str('CRUCIBLE_GIT_BASE_URL', 'https://github.com'),
    githubApiUrl: r.str('CRUCIBLE_GITHUB_API_URL', 'https://api.github.com'),
    gitAuthor,
  };
}
