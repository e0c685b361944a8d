import { describeVariables } from '../../../test/support/config-cases';
import { readDatabaseConfig, type DatabaseConfig } from './database.config';

describe('database config', () => {
  describeVariables<DatabaseConfig>((r) => readDatabaseConfig(r, '/srv/data'), [
    {
      name: 'DATABASE_URL',
      get: (c) => c.url,
      unset: undefined,
      valid: [
        ['postgres://crucible:pw@db:5432/crucible', 'postgres://crucible:pw@db:5432/crucible'],
        ['postgresql://db/crucible', 'postgresql://db/crucible'],
      ],
      // The password never appears in the problem.
      invalid: [
        ['mysql://crucible:pw@db/crucible', 'DATABASE_URL must use one of the schemes postgres, postgresql'],
        ['crucible:pw@db/crucible', 'DATABASE_URL must use one of the schemes postgres, postgresql'],
        ['db:5432 crucible pw', 'DATABASE_URL must use one of the schemes postgres, postgresql'],
        ['//crucible:pw@db', 'DATABASE_URL is not a valid URL'],
      ],
    },
    {
      name: 'CRUCIBLE_EMBEDDED_DB_DIR',
      get: (c) => c.embeddedDir,
      unset: '/srv/data/pglite',
      valid: [['db', '/srv/data/db'], ['/var/lib/pglite', '/var/lib/pglite']],
    },
    {
      name: 'CRUCIBLE_MIGRATE_ON_START',
      get: (c) => c.migrateOnStart,
      unset: true,
      valid: [['false', false], ['0', false], ['true', true]],
      invalid: [['later', 'CRUCIBLE_MIGRATE_ON_START must be true or false (got "later")']],
    },
  ]);
});
