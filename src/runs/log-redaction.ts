/** Shown in place of a secret. */
export const REDACTED = '[redacted]';

/**
 * Replaces every occurrence of each secret in `text` (pure). Longer secrets go first, so a secret
 * that contains a shorter one is removed whole; values under 4 characters are ignored (they would
 * blank ordinary words).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const values = [...new Set(secrets.map((s) => s.trim()).filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  let out = text;
  for (const value of values) out = out.split(value).join(REDACTED);
  return out;
}
