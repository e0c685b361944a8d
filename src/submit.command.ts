import { signSubmission } from './submissions/signature';
import { loadHotkey, WalletSource } from './chain/wallet';
import { errorMessage } from './common/error-message';
import { isRecord } from './common/is-record';

export interface SubmitCommandOptions extends WalletSource {
  /** Base URL of the Crucible API, e.g. https://crucible.example.org */
  apiUrl: string;
  tournamentId: string;
  repoUrl: string;
  /** Full 40-hex commit. */
  commitSha: string;
  /** Injected for tests. */
  now?: () => Date;
  fetchImpl?: typeof fetch;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/**
 * `crucible submit`: loads the miner's hotkey (wallet directory or mnemonic file), signs the
 * canonical submission message and POSTs it to /api/submissions. Returns the process exit code:
 * 0 accepted, 1 refused by the API (the reason is printed), 2 bad input or unreachable API.
 */
export async function runSubmitCommand(opts: SubmitCommandOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = opts.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (!/^[0-9a-f]{40}$/.test(opts.commitSha)) {
    err('commit must be a full 40-character lower-case hex SHA');
    return 2;
  }
  let pair;
  try {
    pair = await loadHotkey(opts);
  } catch (e) {
    err(`cannot load the hotkey: ${errorMessage(e)}`);
    return 2;
  }
  const signedAt = Math.floor((opts.now?.() ?? new Date()).getTime() / 1000);
  const signed = signSubmission(pair, { tournamentId: opts.tournamentId, repoUrl: opts.repoUrl, commitSha: opts.commitSha, signedAt });
  const body = { tournamentId: opts.tournamentId, hotkey: signed.hotkey, repoUrl: opts.repoUrl, commitSha: opts.commitSha, signedAt, signature: signed.signature };
  const url = new URL('/api/submissions', opts.apiUrl).toString();
  let res: Response;
  try {
    res = await (opts.fetchImpl ?? fetch)(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (e) {
    err(`cannot reach ${url}: ${errorMessage(e)}`);
    return 2;
  }
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) json = parsed;
  } catch {
    // non-JSON error page: print it raw below
  }
  if (res.ok) {
    out(`submitted: ${String(json.id ?? '')} status=${String(json.status ?? 'accepted')} hotkey=${signed.hotkey}`);
    if (json.status === 'rejected') {
      err(`rejected: ${String(json.rejectionReason ?? 'no reason given')}`);
      return 1;
    }
    return 0;
  }
  err(`refused (${res.status} ${String(json.code ?? '')}): ${String(json.message ?? text)}`);
  return 1;
}
