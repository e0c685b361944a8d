import type { EnvReader } from '../env-reader';

export interface DatabaseConfig {
  /** PostgreSQL connection URL; undefined means the embedded PGlite database. */
  url?: string;
  /** Directory of the embedded database (PGlite). */
  embeddedDir: string;
  migrateOnStart: boolean;
}

export function readDatabaseConfig(r: EnvReader, dataDir: string): DatabaseConfig {
  return {
    url: r.url('DATABASE_URL', ['postgres', 'postgresql']),
    embeddedDir: r.path('CRUCIBLE_EMBEDDED_DB_DIR', 'pglite', dataDir),
    migrateOnStart: r.bool('CRUCIBLE_MIGRATE_ON_START', true),
  };
}
