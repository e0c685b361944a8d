import type { EnvReader } from '../env-reader';

export interface ChainConfig {
  /** Subtensor websocket; unset: no chain, weights are a dry run. */
  endpoint?: string;
  netuid: number;
  walletPath?: string;
  mnemonicFile?: string;
  dryRun: boolean;
  ownerUid: number;
  /** Hotkey name inside a wallet directory. */
  walletHotkey: string;
  /** Weights version key to send when higher than the chain's WeightsVersionKey (decimal u64). */
  versionKey?: string;
  /** Tries per weights extrinsic before the epoch's row is marked failed. */
  weightsMaxTries: number;
  /** First retry delay (doubles per try) for chain calls. */
  retryBaseMs: number;
  /** Expected block time; bounds waits for the rate limit and the reveal window. */
  blockTimeMs: number;
  /** Offline stand-in for the metagraph: hotkey -> uid (only used without an endpoint). */
  staticMetagraph?: Record<string, number>;
}

function staticMetagraph(r: EnvReader): Record<string, number> | undefined {
  const pairs = r.keyValues('CRUCIBLE_STATIC_METAGRAPH');
  if (Object.keys(pairs).length === 0) return undefined;
  const out: Record<string, number> = {};
  for (const [hotkey, uid] of Object.entries(pairs)) {
    const n = Number(uid);
    if (!Number.isInteger(n) || n < 0 || n > 65535) r.problem(`CRUCIBLE_STATIC_METAGRAPH: uid for ${hotkey} must be 0..65535`);
    out[hotkey] = n;
  }
  return out;
}

export function readChainConfig(r: EnvReader): ChainConfig {
  const endpoint = r.url('CRUCIBLE_CHAIN_ENDPOINT', ['ws', 'wss']);
  const walletPath = r.str('CRUCIBLE_WALLET_PATH');
  const mnemonicFile = r.str('CRUCIBLE_MNEMONIC_FILE');
  const dryRun = r.bool('CRUCIBLE_WEIGHTS_DRY_RUN', endpoint === undefined);
  if (endpoint && !dryRun && !walletPath && !mnemonicFile) {
    r.problem('CRUCIBLE_WALLET_PATH or CRUCIBLE_MNEMONIC_FILE is required to set weights on chain (or set CRUCIBLE_WEIGHTS_DRY_RUN=true)');
  }
  return {
    endpoint,
    netuid: r.int('CRUCIBLE_NETUID', 56, 0, 65535),
    walletPath,
    mnemonicFile,
    dryRun,
    ownerUid: r.int('CRUCIBLE_OWNER_UID', 0, 0, 65535),
    walletHotkey: r.str('CRUCIBLE_WALLET_HOTKEY', 'default'),
    versionKey: r.u64('CRUCIBLE_WEIGHTS_VERSION_KEY'),
    weightsMaxTries: r.int('CRUCIBLE_WEIGHTS_MAX_TRIES', 5, 1, 100),
    retryBaseMs: r.int('CRUCIBLE_CHAIN_RETRY_BASE_MS', 2000, 1, 600_000),
    blockTimeMs: r.int('CRUCIBLE_BLOCK_TIME_MS', 12_000, 1, 600_000),
    staticMetagraph: staticMetagraph(r),
  };
}
