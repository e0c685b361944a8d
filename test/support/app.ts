import { NestExpressApplication } from '@nestjs/platform-express';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppConfig, loadConfig, Role } from '../../src/config/app-config';
import { createApp } from '../../src/main';
import { createTestDatabase, Engine, TestDatabase } from './databases';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  db: TestDatabase;
  close(): Promise<void>;
}

/** A real app (real database, real adapters) on a fresh database and data dir. */
export async function startTestApp(engine: Engine, env: Record<string, string> = {}, role: Role = 'api'): Promise<TestApp> {
  const db = await createTestDatabase(engine);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-data-'));
  const config = loadConfig({
    CRUCIBLE_DATA_DIR: dataDir,
    CRUCIBLE_ADMIN_TOKEN: ADMIN_TOKEN,
    CRUCIBLE_LOG_LEVEL: 'error',
    CRUCIBLE_AUTO_SCHEDULE: 'false',
    CRUCIBLE_GIT_ALLOW_INSECURE: 'true',
    ...(db.config.url ? { DATABASE_URL: db.config.url } : { CRUCIBLE_EMBEDDED_DB_DIR: db.config.embeddedDir }),
    ...env,
  });
  const app = await createApp(config, role);
  await app.init();
  return {
    app,
    config,
    db,
    close: async () => {
      await app.close();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
