import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DatabaseConfig } from '../../src/config/app-config';
import { openDataSource } from '../../src/db/data-source';

export const PG_ADMIN_URL = process.env.CRUCIBLE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type Engine = 'postgres' | 'pglite';

export interface TestDatabase {
  engine: Engine;
  config: DatabaseConfig;
  drop(): Promise<void>;
}

/**
 * A fresh database per suite: a new PostgreSQL database, or a new PGlite directory. By default it is a
 * copy of a template that the migrations already ran on (the app's start-up migration then finds
 * nothing to do): running them costs about a second per PostgreSQL database and, with PGlite's
 * initdb, several seconds per PGlite directory, for each of the ~60 databases the suites create.
 * `empty: true` gives a database nothing has run on (the migration suite applies them itself).
 */
export async function createTestDatabase(engine: Engine, opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-pglite-'));
    const embeddedDir = path.join(dir, 'db');
    if (!opts.empty) fs.cpSync(await pgliteTemplate(), embeddedDir, { recursive: true });
    return {
      engine,
      config: { embeddedDir, migrateOnStart: true },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `crucible_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(opts.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${await postgresTemplate()}`);
  return {
    engine,
    config: { url: databaseUrl(name), embeddedDir: '', migrateOnStart: true },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

function databaseUrl(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Names the templates by what decides their content (the migrations, how they are run, the PGlite
 * version), so a changed migration gets a new template and never a stale one.
 */
function templateKey(): string {
  const root = path.resolve(__dirname, '../..');
  const hash = createHash('sha256');
  const migrations = path.join(root, 'migrations');
  for (const file of fs.readdirSync(migrations).sort()) hash.update(file).update(fs.readFileSync(path.join(migrations, file)));
  for (const file of ['src/db/migrations.ts', 'src/db/data-source.ts']) hash.update(fs.readFileSync(path.join(root, file)));
  hash.update(fs.readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * A migrated PostgreSQL database to clone (CREATE DATABASE ... TEMPLATE), made once per machine and
 * migration set. It is built under a name of its own and renamed when complete, so a concurrent jest
 * process never clones a half-migrated one; nothing ever connects to it after that (a clone needs that).
 */
async function postgresTemplate(): Promise<string> {
  const template = `crucible_template_${templateKey()}`;
  if (await databaseExists(template)) return template;
  const build = `crucible_template_build_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${build}`);
  try {
    const ds = await openDataSource({ url: databaseUrl(build), embeddedDir: '', migrateOnStart: true }, { migrate: true });
    await ds.destroy();
    await renameWhenFree(build, template);
  } catch (error) {
    // Another process finished the same template first: use that one.
    if (!(await databaseExists(template))) throw error;
  } finally {
    await adminQuery(`DROP DATABASE IF EXISTS ${build} WITH (FORCE)`);
  }
  return template;
}

/** The server may still be closing the sessions that just ended (55006, object in use) for a moment. */
async function renameWhenFree(from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await adminQuery(`ALTER DATABASE ${from} RENAME TO ${to}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt === 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

/** A migrated PGlite directory to copy, made once per machine and migration set (renamed into place when complete). */
async function pgliteTemplate(): Promise<string> {
  const template = path.join(os.tmpdir(), `crucible-pglite-template-${templateKey()}`);
  if (fs.existsSync(template)) return template;
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-pglite-template-build-'));
  try {
    const ds = await openDataSource({ embeddedDir: path.join(build, 'db'), migrateOnStart: true }, { migrate: true });
    await ds.destroy();
    fs.renameSync(path.join(build, 'db'), template);
  } catch (error) {
    // Another process finished the same template first: use that one.
    if (!fs.existsSync(template)) throw error;
  } finally {
    fs.rmSync(build, { recursive: true, force: true });
  }
  return template;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs a describe block once per database engine. */
export const ENGINES: Engine[] = ['postgres', 'pglite'];
