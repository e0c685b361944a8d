import * as fs from 'node:fs';
import * as path from 'node:path';
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
    driver: serialPGliteDriver({ dataDir: db.embeddedDir }),
  } as DataSourceOptions;
}

export async function openDataSource(db: DatabaseConfig, opts: { migrate: boolean }): Promise<DataSource> {
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
