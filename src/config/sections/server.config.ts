import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvReader } from '../env-reader';

export type Role = 'api' | 'worker' | 'all';
export const ROLES: readonly Role[] = ['api', 'worker', 'all'];
export type LogLevel = 'error' | 'warn' | 'log' | 'debug' | 'verbose';
export type LogFormat = 'text' | 'json';

/** The process as a whole: what it serves, where it keeps data, how it logs. */
export interface ServerConfig {
  port: number;
  host: string;
  /** `crucible serve --role` wins over CRUCIBLE_ROLE. */
  role: Role;
  dataDir: string;
  /** Unset: admin writes are disabled. */
  adminToken?: string;
  /** The built web dashboard served at `/` by the API role. */
  webDir: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/** Where `npm run build` puts the dashboard: <package root>/dist/web, from the source or the compiled tree. */
export function defaultWebDir(from: string = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'web');
}

export function readServerConfig(r: EnvReader, roleOverride?: Role): ServerConfig {
  return {
    port: r.int('PORT', 3000, 0, 65535),
    host: r.str('CRUCIBLE_HOST', '127.0.0.1'),
    role: roleOverride ?? r.oneOf('CRUCIBLE_ROLE', ROLES, 'all'),
    dataDir: r.path('CRUCIBLE_DATA_DIR', './data'),
    adminToken: r.str('CRUCIBLE_ADMIN_TOKEN'),
    webDir: r.str('CRUCIBLE_WEB_DIR', defaultWebDir()),
    logLevel: r.oneOf<LogLevel>('CRUCIBLE_LOG_LEVEL', ['error', 'warn', 'log', 'debug', 'verbose'], 'log'),
    logFormat: r.oneOf<LogFormat>('CRUCIBLE_LOG_FORMAT', ['text', 'json'], 'text'),
  };
}
