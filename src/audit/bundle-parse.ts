import { isRecord } from '../common/is-record';
import type { AuditBundleBody, BundleEnvelope } from './bundle-format';

/**
 * Bundles read back from disk or HTTP are untrusted JSON: these check the shape the auditor relies on
 * before it is used typed, and throw a clear error naming the bundle otherwise. The values inside
 * (rankings, verdicts, losses, the rulebook) are checked by the recompute itself, which re-derives and
 * compares every one of them.
 */

export function isBundleEnvelope(v: unknown): v is BundleEnvelope {
  return isRecord(v) && typeof v.sha256 === 'string' && typeof v.signature === 'string' && typeof v.signer === 'string' && typeof v.body === 'string';
}

export function parseBundleEnvelope(v: unknown, where: string): BundleEnvelope {
  if (!isBundleEnvelope(v)) throw new Error(`${where}: not a bundle envelope (sha256, signature, signer and body strings)`);
  return v;
}

const LISTS = ['tournaments', 'rounds', 'tasks', 'entrants', 'runs', 'evaluations', 'weightSets', 'events'] as const;
const STRINGS = ['format', 'kind', 'subject', 'day', 'from', 'to', 'validator'] as const;

/** The body of an envelope (canonical JSON text), checked for the members every bundle has. */
export function parseBundleBody(text: string, where: string): AuditBundleBody {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`${where}: body is not JSON`);
  }
  if (!isRecord(v)) throw new Error(`${where}: body is not a JSON object`);
  const problems: string[] = [];
  for (const k of STRINGS) if (typeof v[k] !== 'string') problems.push(`${k} is not a string`);
  if (!Number.isSafeInteger(v.sequence)) problems.push('sequence is not an integer');
  if (typeof v.netuid !== 'number') problems.push('netuid is not a number');
  if (v.previousSha256 !== null && typeof v.previousSha256 !== 'string') problems.push('previousSha256 is neither null nor a string');
  if (v.eventsThrough !== undefined && v.eventsThrough !== null && typeof v.eventsThrough !== 'string') problems.push('eventsThrough is neither null nor a string');
  const k = v.keyChange;
  if (k !== null && k !== undefined && !(isRecord(k) && typeof k.from === 'string' && typeof k.to === 'string' && typeof k.signature === 'string')) {
    problems.push('keyChange is neither null nor { from, to, signature }');
  }
  for (const name of LISTS) if (!Array.isArray(v[name]) || !v[name].every(isRecord)) problems.push(`${name} is not a list of objects`);
  if (problems.length > 0) throw new Error(`${where}: not an audit bundle body: ${problems.join('; ')}`);
  return v as unknown as AuditBundleBody;
}
