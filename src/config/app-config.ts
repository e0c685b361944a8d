import { ConfigError } from './config.errors';
import { EnvReader, type Env } from './env-reader';
import type { PausePointName } from './pause-points';
import { readAuditConfig, type AuditConfig } from './sections/audit.config';
import { readChainConfig, type ChainConfig } from './sections/chain.config';
import { readDatabaseConfig, type DatabaseConfig } from './sections/database.config';
import { readEvaluationConfig, type EvaluationConfig } from './sections/evaluation.config';
import { readEventsConfig, type EventsConfig } from './sections/events.config';
import { readPublishingConfig, type PublishingConfig } from './sections/publishing.config';
import { readSandboxConfig, type SandboxConfig } from './sections/sandbox.config';
import { readServerConfig, type LogFormat, type LogLevel, type Role } from './sections/server.config';
import { readStorageConfig, type StorageConfig } from './sections/storage.config';
import { readTournamentsConfig, type TournamentsConfig } from './sections/tournaments.config';
import { readWorkerConfig } from './sections/worker.config';

/**
 * The only reader of process.env. Each section is parsed by its own file in sections/, with the
 * readers of env-reader.ts; every variable is validated here once, at boot, and all problems are
 * reported together so an organiser fixes them in one go.
 */

export { ConfigError } from './config.errors';
export type { Env } from './env-reader';
export type { AuditConfig } from './sections/audit.config';
export type { ChainConfig } from './sections/chain.config';
export type { DatabaseConfig } from './sections/database.config';
export type { EvaluationConfig, ExecutionProviderChoice } from './sections/evaluation.config';
export type { EventsConfig } from './sections/events.config';
export type { PublishingConfig } from './sections/publishing.config';
export type { RepoIntakeConfig } from './sections/repo-intake.config';
export type { DockerSandboxConfig, KubernetesSandboxConfig, SandboxConfig, SandboxDriver } from './sections/sandbox.config';
export type { LogFormat, LogLevel, Role } from './sections/server.config';
export type { StorageConfig } from './sections/storage.config';
export { scheduleVar, type TournamentsConfig } from './sections/tournaments.config';

/** Injection token and shape of the validated configuration (values come from loadConfig). */
export abstract class AppConfig {
  abstract readonly port: number;
  abstract readonly host: string;
  abstract readonly logFormat: LogFormat;
  abstract readonly role: Role;
  abstract readonly dataDir: string;
  /** Unset: admin writes are disabled. */
  abstract readonly adminToken?: string;
  /** The built web dashboard served at `/` by the API role (CRUCIBLE_WEB_DIR; default <package root>/dist/web). */
  abstract readonly webDir: string;
  abstract readonly logLevel: LogLevel;
  abstract readonly database: DatabaseConfig;
  abstract readonly sandbox: SandboxConfig;
  abstract readonly evaluation: EvaluationConfig;
  abstract readonly chain: ChainConfig;
  abstract readonly audit: AuditConfig;
  abstract readonly publishing: PublishingConfig;
  abstract readonly tournaments: TournamentsConfig;
  abstract readonly workerId: string;
  abstract readonly schedulerTickMs: number;
  /** Retention and size limits of the worker's runs/ and repo-cache/ folders, pruned periodically. */
  abstract readonly storage: StorageConfig;
  /** The live event stream (GET /api/events). */
  abstract readonly events: EventsConfig;
  /** Test hook (CRUCIBLE_TEST_PAUSE_AT): the step boundary where the worker freezes for the crash test; null in production. */
  abstract readonly testPauseAt: PausePointName | null;
}

export function loadConfig(env: Env = process.env, overrides: { role?: Role } = {}): AppConfig {
  const r = new EnvReader(env);
  const server = readServerConfig(r, overrides.role);
  const config: AppConfig = {
    ...server,
    ...readWorkerConfig(r, process.pid),
    database: readDatabaseConfig(r, server.dataDir),
    sandbox: readSandboxConfig(r),
    evaluation: readEvaluationConfig(r),
    chain: readChainConfig(r),
    audit: readAuditConfig(r),
    publishing: readPublishingConfig(r),
    tournaments: readTournamentsConfig(r),
    storage: readStorageConfig(r),
    events: readEventsConfig(r),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** The environment with some variables fixed by the caller (the demo's embedded defaults). */
export function loadConfigWith(fixed: Record<string, string>, defaults: Record<string, string> = {}): AppConfig {
  return loadConfig({ ...defaults, ...process.env, ...fixed });
}
