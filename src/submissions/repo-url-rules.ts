/**
 * Pure rules every entry's repository URL and commit obey, whether it arrives signed over HTTP or in
 * a chain commitment. The scheme allow-list depends on config and is applied at intake.
 */

export const MAX_REPO_URL_LENGTH = 512;
export const REPO_URL_SCHEMES = ['https:', 'http:', 'file:'] as const;

/** Why a repository URL is refused, or null when it is well formed. */
export function repoUrlProblem(value: string): string | null {
  if (value.length > MAX_REPO_URL_LENGTH) return `the repository URL is longer than ${MAX_REPO_URL_LENGTH} characters`;
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return 'the repository URL contains whitespace or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'the repository URL is not a URL';
  }
  if (!(REPO_URL_SCHEMES as readonly string[]).includes(url.protocol)) return `the repository URL scheme ${url.protocol.replace(':', '')} is not one of https, http, file`;
  // Credentials in a URL would end up in logs and the public API; tokens come from config.
  if (url.username || url.password) return 'the repository URL carries credentials';
  return null;
}
