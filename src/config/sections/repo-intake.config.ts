import type { EnvReader } from '../env-reader';

export interface RepoIntakeConfig {
  /** Token for private https repos (sent as Basic auth, never put in argv or URLs). */
  gitToken?: string;
  /** Allow http:// and file:// repo URLs (tests, local mirrors); https only otherwise. */
  allowInsecureSchemes: boolean;
  /** Hosts repositories may live on (exact names); null: any host (`*`, the default with allowInsecureSchemes). */
  allowedHosts: string[] | null;
  /** Reach hosts that resolve to loopback/private/link-local/metadata addresses (only with allowInsecureSchemes). */
  allowPrivateAddresses: boolean;
  maxRepoMb: number;
  /** Files in a submitted tree. */
  maxRepoFiles: number;
  gitTimeoutSeconds: number;
}

export function readRepoIntakeConfig(r: EnvReader): RepoIntakeConfig {
  const insecure = r.bool('CRUCIBLE_GIT_ALLOW_INSECURE', false);
  const hosts = r.list('CRUCIBLE_GIT_ALLOWED_HOSTS', insecure ? '*' : 'github.com,gitlab.com,huggingface.co').map((h) => h.toLowerCase());
  return {
    gitToken: r.str('CRUCIBLE_GIT_TOKEN'),
    allowInsecureSchemes: insecure,
    allowedHosts: hosts.includes('*') ? null : hosts,
    // Local mirrors and the test suite's git server listen on loopback: only in insecure mode.
    allowPrivateAddresses: insecure,
    maxRepoMb: r.int('CRUCIBLE_REPO_MAX_MB', 50, 1, 64 * 1024),
    maxRepoFiles: r.int('CRUCIBLE_REPO_MAX_FILES', 10_000, 1, 1_000_000),
    gitTimeoutSeconds: r.int('CRUCIBLE_GIT_TIMEOUT_SECONDS', 120, 5, 3600),
  };
}
