import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { serialPGliteDriver } from './serial-pglite-pool';

/**
 * One schema, two engines: a PostgreSQL server when DATABASE_URL is set, otherwise the embedded
 * PGlite database in a directory. Same entities, same migrations, never `synchronize`.
 */
export function dataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // gen_random_uuid() is built into PostgreSQL 13+; PGlite has no extensions and TypeORM would
    // kill the process trying CREATE EXTENSION "uuid-ossp".
    uuidExtension: 'pgcrypto' as const,
    installExtensions: false,
  };
  if (db.url) {
    return { ...common, url: db.url, extra: { max: 10 } };
  }
  fs.mkdirSync(path.dirname(db.embeddedDir), { recursive: true });
  return {
    ...common,
    driver: serialPGliteDriver({ dataDir: db.embeddedDir, postgresqlconf: EMBEDDED_POSTGRESQL_CONF }),
  } as DataSourceOptions;
}

/**
 * PostgreSQL's default 128 MB of shared buffers is sized for a server; in PGlite they live in the
 * process's WebAssembly memory. The embedded database is small and has one session: 16 MB keeps
 * its working set cached (the OS caches the files behind it) and saves about 130 MB of RSS.
 */
const EMBEDDED_POSTGRESQL_CONF = ['shared_buffers = 16MB'];

/**
 * A new PGlite directory is created by initdb inside the instance that opens it, and that memory
 * (about 450 MB) stays in the process until a major garbage collection, which an idle server may
 * not run for hours. So a new cluster is created in a short-lived child process; the instance that
 * serves then starts the way it does after a restart.
 */
async function createEmbeddedCluster(dir: string): Promise<void> {
  if (fs.existsSync(path.join(dir, 'PG_VERSION'))) return;
  const script = 'require(process.argv[1]).PGlite.create({ dataDir: process.argv[2], postgresqlconf: JSON.parse(process.argv[3]) }).then((db) => db.close())';
  await promisify(execFile)(process.execPath, ['-e', script, require.resolve('@electric-sql/pglite'), dir, JSON.stringify(EMBEDDED_POSTGRESQL_CONF)]);
}

export async function openDataSource(db: DatabaseConfig, opts: { migrate: boolean }): Promise<DataSource> {
  if (!db.url) await createEmbeddedCluster(db.embeddedDir);
  const ds = new DataSource(dataSourceOptions(db));
  await ds.initialize();
  if (opts.migrate) await ds.runMigrations({ transaction: 'each' });
  return ds;
}

/** Migrations recorded as applied vs. those the code ships: readiness needs none pending. */
export async function pendingMigrations(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  const hasTable = await runner.hasTable('migrations').finally(() => runner.release());
  const rows: Array<{ name: string }> = hasTable ? await ds.query(`SELECT name FROM "migrations"`) : [];
  const applied = new Set(rows.map((r) => r.name));
  return ds.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !applied.has(name));
}

/** SQL that would bring the database in line with the entities; empty when migrations are complete. */
export async function schemaDrift(ds: DataSource): Promise<string[]> {
  const sql = await ds.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}
