import { repoUrlProblem } from './repo-url-rules';

/**
 * The chain-commitment entry format (a public name, keep it): `crucible:v1:<repo URL>@<40-hex commit>`,
 * written by a miner's hotkey as its commitment on the subnet. The commitments pallet stores one Raw
 * field of at most 128 bytes, so the whole text (prefix included) fits in 128 bytes of UTF-8.
 * Pure: no IO, so an auditor can apply the same rules.
 */
export const CHAIN_ENTRY_PREFIX = 'crucible:v1:';
/** Largest Raw field the commitments pallet accepts (Data::Raw128). */
export const COMMITMENT_MAX_BYTES = 128;

export type ChainEntryParse = { ok: true; repoUrl: string; commitSha: string } | { ok: false; reason: string };

/**
 * Reads a commitment's raw bytes (or its text) as an entry. A commit is accepted in either case and
 * returned in lower case, as git prints it. The URL splits from the commit at the last `@`.
 */
export function parseChainEntry(raw: Uint8Array | string): ChainEntryParse {
  const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
  if (bytes.length > COMMITMENT_MAX_BYTES) return fail(`commitment is ${bytes.length} bytes, over the chain's limit of ${COMMITMENT_MAX_BYTES}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('commitment is not UTF-8 text');
  }
  if (!text.startsWith(CHAIN_ENTRY_PREFIX)) {
    const shown = text.slice(0, 16).replace(/[^\x20-\x7e]/g, '?');
    return fail(`commitment does not start with ${CHAIN_ENTRY_PREFIX} (starts with "${shown}")`);
  }
  const body = text.slice(CHAIN_ENTRY_PREFIX.length);
  const at = body.lastIndexOf('@');
  if (at < 0) return fail('commitment has no @ between the repository URL and the commit');
  const repoUrl = body.slice(0, at);
  const commit = body.slice(at + 1);
  if (!/^[0-9a-fA-F]{40}$/.test(commit)) {
    const what = /^[0-9a-fA-F]*$/.test(commit) ? `${commit.length} hex characters` : 'non-hex characters';
    return fail(`commit must be a full 40-character hex SHA (got ${what})`);
  }
  const problem = repoUrlProblem(repoUrl);
  if (problem) return fail(problem);
  return { ok: true, repoUrl, commitSha: commit.toLowerCase() };
}

/** The commitment text a miner writes for an entry (used by tests and the README's example). */
export function formatChainEntry(repoUrl: string, commitSha: string): string {
  return `${CHAIN_ENTRY_PREFIX}${repoUrl}@${commitSha}`;
}

function fail(reason: string): ChainEntryParse {
  return { ok: false, reason };
}
