import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DatabaseConfig } from '../../src/config/app-config';

export const PG_ADMIN_URL = process.env.CRUCIBLE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type Engine = 'postgres' | 'pglite';

export interface TestDatabase {
  engine: Engine;
  config: DatabaseConfig;
  drop(): Promise<void>;
}

/** A fresh, empty database per suite: a new PostgreSQL database, or a new PGlite directory. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-pglite-'));
    return {
      engine,
      config: { embeddedDir: path.join(dir, 'db'), migrateOnStart: true },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `crucible_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    engine,
    config: { url: url.toString(), embeddedDir: '', migrateOnStart: true },
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
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
