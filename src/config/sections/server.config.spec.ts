import * as path from 'node:path';
import { describeVariables, readSection } from '../../../test/support/config-cases';
import { readServerConfig, type ServerConfig } from './server.config';

describe('server config', () => {
  describeVariables<ServerConfig>((r) => readServerConfig(r), [
    {
      name: 'PORT',
      get: (c) => c.port,
      unset: 3000,
      valid: [['8080', 8080], ['0', 0], ['65535', 65535]],
      invalid: [
        ['65536', 'PORT must be an integer between 0 and 65535 (got "65536")'],
        ['http', 'PORT must be an integer between 0 and 65535 (got "http")'],
        ['80.5', 'PORT must be an integer between 0 and 65535 (got "80.5")'],
      ],
    },
    { name: 'CRUCIBLE_HOST', get: (c) => c.host, unset: '127.0.0.1', valid: [[' 0.0.0.0 ', '0.0.0.0']] },
    {
      name: 'CRUCIBLE_ROLE',
      get: (c) => c.role,
      unset: 'all',
      valid: [['api', 'api'], ['worker', 'worker'], ['all', 'all']],
      invalid: [['Worker', 'CRUCIBLE_ROLE must be one of api, worker, all (got "Worker")']],
    },
    {
      name: 'CRUCIBLE_DATA_DIR',
      get: (c) => c.dataDir,
      unset: path.join(process.cwd(), 'data'),
      valid: [['/srv/crucible', '/srv/crucible'], ['var/crucible', path.join(process.cwd(), 'var', 'crucible')]],
    },
    { name: 'CRUCIBLE_ADMIN_TOKEN', get: (c) => c.adminToken, unset: undefined, valid: [['s3cret', 's3cret']] },
    // Kept as written (express resolves it); by default the build output of this package, whose root is three folders up.
    { name: 'CRUCIBLE_WEB_DIR', get: (c) => c.webDir, unset: path.join(__dirname, '..', '..', '..', 'dist', 'web'), valid: [['/srv/web', '/srv/web'], ['web', 'web']] },
    {
      name: 'CRUCIBLE_LOG_LEVEL',
      get: (c) => c.logLevel,
      unset: 'log',
      valid: [['error', 'error'], ['warn', 'warn'], ['debug', 'debug'], ['verbose', 'verbose']],
      invalid: [['info', 'CRUCIBLE_LOG_LEVEL must be one of error, warn, log, debug, verbose (got "info")']],
    },
    {
      name: 'CRUCIBLE_LOG_FORMAT',
      get: (c) => c.logFormat,
      unset: 'text',
      valid: [['json', 'json']],
      invalid: [['pretty', 'CRUCIBLE_LOG_FORMAT must be one of text, json (got "pretty")']],
    },
  ]);

  it('the CLI role wins over CRUCIBLE_ROLE, which is then not read', () => {
    expect(readSection((r) => readServerConfig(r, 'worker'), { CRUCIBLE_ROLE: 'api' })).toEqual(
      expect.objectContaining({ config: expect.objectContaining({ role: 'worker' }), problems: [] }),
    );
    expect(readSection((r) => readServerConfig(r, 'api'), { CRUCIBLE_ROLE: 'nonsense' }).problems).toEqual([]);
  });
});
