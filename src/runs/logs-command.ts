import { u8aToHex } from '@polkadot/util';
import { loadHotkey, WalletSource } from '../chain/wallet';
import { errorMessage } from '../common/error-message';

export interface LogsCommandOptions extends WalletSource {
  apiUrl: string;
  runId: string;
  /** Injected for tests. */
  fetchImpl?: typeof fetch;
  out?: (text: string) => void;
  err?: (line: string) => void;
}

/**
 * `crucible logs <run id>`: prints a run's log. With a wallet (or mnemonic file) it signs a fresh
 * challenge with the hotkey, which lets the entry's owner read the log before the round is decided;
 * without one it asks as the public does. Exit code: 0 printed, 1 refused by the API, 2 bad input or
 * unreachable API.
 */
export async function runLogsCommand(opts: LogsCommandOptions): Promise<number> {
  const out = opts.out ?? ((t: string) => process.stdout.write(t));
  const err = opts.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const http = opts.fetchImpl ?? fetch;
  const logUrl = new URL(`/api/runs/${encodeURIComponent(opts.runId)}/log`, opts.apiUrl).toString();
  const headers: Record<string, string> = {};
  try {
    if (opts.walletPath || opts.mnemonicFile) {
      let pair;
      try {
        pair = await loadHotkey(opts);
      } catch (e) {
        err(`cannot load the hotkey: ${errorMessage(e)}`);
        return 2;
      }
      const res = await http(`${logUrl}/challenge`, { method: 'POST' });
      if (!res.ok) return refused(res, err);
      const { challenge } = (await res.json()) as { challenge: string };
      Object.assign(headers, { 'X-Crucible-Hotkey': pair.address, 'X-Crucible-Challenge': challenge, 'X-Crucible-Signature': u8aToHex(pair.sign(challenge)) });
    }
    const res = await http(logUrl, { headers });
    if (!res.ok) return refused(res, err);
    out(await res.text());
    return 0;
  } catch (e) {
    err(`cannot reach ${logUrl}: ${errorMessage(e)}`);
    return 2;
  }
}

async function refused(res: Response, err: (line: string) => void): Promise<number> {
  const text = await res.text();
  let message = text;
  try {
    const body = JSON.parse(text) as { code?: string; message?: string };
    message = `${body.code ?? res.status}: ${body.message ?? text}`;
  } catch {
    // not the JSON error envelope: print it raw
  }
  err(`refused (${res.status}): ${message}`);
  return res.status >= 500 ? 2 : 1;
}
