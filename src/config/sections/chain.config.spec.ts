import { describeVariables, readSection } from '../../../test/support/config-cases';
import { readChainConfig, type ChainConfig } from './chain.config';

describe('chain config', () => {
  describeVariables<ChainConfig>(readChainConfig, [
    {
      name: 'CRUCIBLE_NETUID',
      get: (c) => c.netuid,
      unset: 56,
      valid: [['0', 0], ['65535', 65535]],
      invalid: [['65536', 'CRUCIBLE_NETUID must be an integer between 0 and 65535 (got "65536")']],
    },
    { name: 'CRUCIBLE_WALLET_PATH', get: (c) => c.walletPath, unset: undefined, valid: [['/keys/validator', '/keys/validator']] },
    { name: 'CRUCIBLE_MNEMONIC_FILE', get: (c) => c.mnemonicFile, unset: undefined, valid: [['/run/secrets/mnemonic', '/run/secrets/mnemonic']] },
    {
      name: 'CRUCIBLE_WEIGHTS_DRY_RUN',
      get: (c) => c.dryRun,
      unset: true,
      valid: [['false', false], ['true', true]],
      invalid: [['maybe', 'CRUCIBLE_WEIGHTS_DRY_RUN must be true or false (got "maybe")']],
    },
    {
      name: 'CRUCIBLE_OWNER_UID',
      get: (c) => c.ownerUid,
      unset: 0,
      valid: [['65535', 65535]],
      invalid: [['-1', 'CRUCIBLE_OWNER_UID must be an integer between 0 and 65535 (got "-1")']],
    },
    { name: 'CRUCIBLE_WALLET_HOTKEY', get: (c) => c.walletHotkey, unset: 'default', valid: [['validator', 'validator']] },
    {
      name: 'CRUCIBLE_WEIGHTS_VERSION_KEY',
      get: (c) => c.versionKey,
      unset: undefined,
      // 2^64 - 1 = 18446744073709551615
      valid: [['0', '0'], ['18446744073709551615', '18446744073709551615']],
      invalid: [
        ['18446744073709551616', 'CRUCIBLE_WEIGHTS_VERSION_KEY must be an unsigned 64-bit integer'],
        ['-5', 'CRUCIBLE_WEIGHTS_VERSION_KEY must be an unsigned 64-bit integer'],
        ['1e3', 'CRUCIBLE_WEIGHTS_VERSION_KEY must be an unsigned 64-bit integer'],
      ],
    },
    {
      name: 'CRUCIBLE_WEIGHTS_MAX_TRIES',
      get: (c) => c.weightsMaxTries,
      unset: 5,
      valid: [['1', 1], ['100', 100]],
      invalid: [['0', 'CRUCIBLE_WEIGHTS_MAX_TRIES must be an integer between 1 and 100 (got "0")']],
    },
    {
      name: 'CRUCIBLE_CHAIN_RETRY_BASE_MS',
      get: (c) => c.retryBaseMs,
      unset: 2000,
      valid: [['1', 1], ['600000', 600000]],
      invalid: [['600001', 'CRUCIBLE_CHAIN_RETRY_BASE_MS must be an integer between 1 and 600000 (got "600001")']],
    },
    {
      name: 'CRUCIBLE_BLOCK_TIME_MS',
      get: (c) => c.blockTimeMs,
      unset: 12000,
      valid: [['250', 250]],
      invalid: [['12s', 'CRUCIBLE_BLOCK_TIME_MS must be an integer between 1 and 600000 (got "12s")']],
    },
    {
      name: 'CRUCIBLE_STATIC_METAGRAPH',
      get: (c) => c.staticMetagraph,
      unset: undefined,
      valid: [['5Fminer=1, 5Gminer=7', { '5Fminer': 1, '5Gminer': 7 }]],
      invalid: [
        ['5Fminer=65536', 'CRUCIBLE_STATIC_METAGRAPH: uid for 5Fminer must be 0..65535'],
        ['5Fminer=one', 'CRUCIBLE_STATIC_METAGRAPH: uid for 5Fminer must be 0..65535'],
        ['5Fminer', 'CRUCIBLE_STATIC_METAGRAPH must look like key=value,key2=value2'],
      ],
    },
  ]);

  // With an endpoint, weights are sent unless told otherwise; a wallet path or mnemonic file is then needed.
  describeVariables<ChainConfig>(
    readChainConfig,
    [
      {
        name: 'CRUCIBLE_CHAIN_ENDPOINT',
        get: (c) => [c.endpoint, c.dryRun],
        unset: [undefined, true],
        valid: [['wss://entrypoint-finney.opentensor.ai:443', ['wss://entrypoint-finney.opentensor.ai:443', false]], ['ws://127.0.0.1:9944', ['ws://127.0.0.1:9944', false]]],
        invalid: [
          ['https://entrypoint-finney.opentensor.ai', 'CRUCIBLE_CHAIN_ENDPOINT must use one of the schemes ws, wss'],
          ['entrypoint-finney', 'CRUCIBLE_CHAIN_ENDPOINT is not a valid URL'],
        ],
      },
    ],
    { CRUCIBLE_WALLET_PATH: '/keys/validator' },
  );

  it('sending weights needs CRUCIBLE_WALLET_PATH or CRUCIBLE_MNEMONIC_FILE', () => {
    const endpoint = { CRUCIBLE_CHAIN_ENDPOINT: 'ws://127.0.0.1:9944' };
    expect(readSection(readChainConfig, endpoint).problems).toEqual([
      'CRUCIBLE_WALLET_PATH or CRUCIBLE_MNEMONIC_FILE is required to set weights on chain (or set CRUCIBLE_WEIGHTS_DRY_RUN=true)',
    ]);
    expect(readSection(readChainConfig, { ...endpoint, CRUCIBLE_MNEMONIC_FILE: '/run/secrets/mnemonic' }).problems).toEqual([]);
    expect(readSection(readChainConfig, { ...endpoint, CRUCIBLE_WEIGHTS_DRY_RUN: 'true' }).problems).toEqual([]);
  });
});
