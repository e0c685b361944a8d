import * as fs from 'node:fs';
import * as path from 'node:path';
import { PAUSE_POINTS, type PausePointName } from './pause-points';
import type { Rulebook } from '../scoring/rulebook';
import { newTournamentRulebook, ScheduleRules, validateTournamentRulebook } from '../scoring/tournament-rulebook';

/**
 * The only reader of process.env. Every variable is parsed and validated here once, at boot;
 * all problems are reported together so an organiser fixes them in one go.
 */

export type Role = 'api' | 'worker' | 'all';
export type SandboxDriver = 'docker' | 'kubernetes';
export type ExecutionProviderChoice = 'auto' | 'cpu' | 'cuda';

export interface DatabaseConfig {
  /** PostgreSQL connection URL; undefined means the embedded PGlite database. */
  url?: string;
  /** Directory of the embedded database (PGlite). */
  embeddedDir: string;
  migrateOnStart: boolean;
}

export interface DockerSandboxConfig {
  socketPath: string;
}

export interface KubernetesSandboxConfig {
  namespace: string;
  kubeconfig?: string;
  runtimeClassName?: string;
  nodeSelector: Record<string, string>;
  artifactVolumeClaim: string;
  jobTtlSeconds: number;
  /** "key[=value]:Effect" entries, e.g. for dedicated GPU nodes. */
  tolerations: { key: string; value?: string; effect: string }[];
  /** How often the Job adapter polls Job/Pod status. */
  pollMs: number;
  /** Pods in their own user namespace (`hostUsers: false`). */
  userNamespaces: boolean;
}

export interface RepoIntakeConfig {
  /** Token for private https repos (sent as Basic auth, never put in argv or URLs). */
  gitToken?: string;
  /** Allow http:// and file:// repo URLs (tests, local mirrors); https only otherwise. */
  allowInsecureSchemes: boolean;
  /** Hosts repositories may live on (exact names); null: any host (only with allowInsecureSchemes or `*`). */
  allowedHosts: string[] | null;
  /** Reach hosts that resolve to loopback/private/link-local/metadata addresses (only with allowInsecureSchemes). */
  allowPrivateAddresses: boolean;
  maxRepoMb: number;
  /** Files in a submitted tree. */
  maxRepoFiles: number;
  gitTimeoutSeconds: number;
}

export interface SandboxConfig {
  driver: SandboxDriver;
  /** Labels this deployment's sandboxes; the restart reconciler only touches its own instance's. */
  instance: string;
  image: string;
  memoryMb: number;
  cpus: number;
  pidsLimit: number;
  outputMaxMb: number;
  logMaxKb: number;
  gracePeriodSeconds: number;
  /** Size of the tmpfs scratch space (/tmp and /scratch) inside each sandbox. */
  scratchMb: number;
  /** Files and directories /output and each scratch mount can hold (tmpfs nr_inodes). */
  maxFiles: number;
  /** Seccomp profile file for Docker sandboxes; null: the engine's default profile. */
  seccompProfile: string | null;
  /** Image and GPU count used when a run's hardware class is "gpu". */
  gpuImage: string;
  gpusPerRun: number;
  repo: RepoIntakeConfig;
  docker: DockerSandboxConfig;
  kubernetes?: KubernetesSandboxConfig;
}

export interface StorageConfig {
  runsRetentionDays: number;
  runsMaxMb: number;
  repoCacheRetentionDays: number;
  repoCacheMaxMb: number;
  pruneIntervalMinutes: number;
}

export interface TournamentsConfig {
  /** Tournament types that run back to back (each needs a pool in the rulebook). */
  types: string[];
  /** Create the next cycle of each type by itself after the gap (default on; tests and the demo turn it off). */
  autoSchedule: boolean;
  /** Rulebook constants over the defaults for auto-scheduled cycles (CRUCIBLE_RULEBOOK_OVERRIDES, JSON). */
  rulebookOverrides: Partial<Rulebook>;
  /** Per-type schedule over DEFAULT_SCHEDULE (CRUCIBLE_SCHEDULE_<TYPE>), so types run on their own cadences. */
  schedules: Record<string, Partial<ScheduleRules>>;
  /** Champion of a type's first tournament (no previous winner). */
  baseline?: { repoUrl: string; commitSha: string };
  /** Concurrent training runs per hardware class, e.g. {"cpu-2": 1}. */
  concurrency: Record<string, number>;
  /** Infra failures in a row of one (task, entrant) re-queued at once; past it the round backs off. */
  maxInfraRetries: number;
  /** Infra retries of one (task, entrant) in total (immediate and after backoff); past it the run is given up. */
  maxInfraRetriesTotal: number;
  /** How long a round that hit the infra retry cap waits before trying those runs again. */
  infraBackoffSeconds: number;
  /** Round deadline for rulebooks whose schedule does not carry one (stored before it did). */
  roundDeadlineMinutes: number;
  /** A run's claim lasts this long without a heartbeat before another worker may adopt it. */
  leaseSeconds: number;
}

export interface ChainConfig {
  endpoint?: string;
  netuid: number;
  walletPath?: string;
  mnemonicFile?: string;
  dryRun: boolean;
  ownerUid: number;
  /** Hotkey name inside a wallet directory (CRUCIBLE_WALLET_HOTKEY, default "default"). */
  walletHotkey?: string;
  /** Weights version key to send when higher than the chain's WeightsVersionKey (decimal u64). */
  versionKey?: string;
  /** Tries per weights extrinsic before the epoch's row is marked failed. */
  weightsMaxTries?: number;
  /** First retry delay (doubles per try) for chain calls. */
  retryBaseMs?: number;
  /** Expected block time; bounds waits for the rate limit and the reveal window. */
  blockTimeMs?: number;
  /** Offline stand-in for the metagraph: hotkey -> uid (only used without an endpoint). */
  staticMetagraph?: Record<string, number>;
}

export interface EventsConfig {
  /** How often an API process reads new events from the outbox. */
  pollMs: number;
  /** Comment line sent to idle server-sent-event clients so proxies keep the stream open. */
  heartbeatMs: number;
  /** Events older than this are pruned; a client resuming from before then misses them. */
  retentionHours: number;
  /** A client that cannot take its events and falls this many behind is disconnected (it resumes with Last-Event-ID). */
  maxClientLag: number;
}

/** Injection token and shape of the validated configuration (values come from loadConfig). */
export abstract class AppConfig {
  abstract readonly port: number;
  abstract readonly host: string;
  abstract readonly logFormat: 'text' | 'json';
  abstract readonly role: Role;
  abstract readonly dataDir: string;
  abstract readonly adminToken?: string;
  /** The built web dashboard served at `/` by the API role (CRUCIBLE_WEB_DIR); default <package root>/dist/web. */
  abstract readonly webDir?: string;
  abstract readonly logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  abstract readonly database: DatabaseConfig;
  abstract readonly sandbox: SandboxConfig;
  abstract readonly evaluation: {
    executionProvider: ExecutionProviderChoice;
    maxModelMb: number;
    timeoutSeconds: number;
    memoryMb: number;
    /** onnxruntime intra-op threads per evaluation; 0 or absent = one per available core. */
    threads?: number;
    /** The only environment the inference worker gets (no secrets): PATH, LD_LIBRARY_PATH, CUDA_VISIBLE_DEVICES. */
    workerEnv?: Record<string, string>;
    /** The organiser's private datasets (one folder with a manifest.json each), outside the repository. */
    datasetsDir?: string;
  };
  abstract readonly chain: ChainConfig;
  abstract readonly audit: {
    /** Days archived model files are kept (content-addressed by sha256), so a 7-day audit can re-evaluate them. */
    artifactRetentionDays: number;
  };
  abstract readonly publishing: {
    githubOrg?: string;
    githubToken?: string;
    gitBaseUrl: string;
    githubApiUrl: string;
    /** Author and committer of the RESULTS.md commit and of the tag: "Name <email>". */
    gitAuthor?: string;
  };
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

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Small typed readers that record problems instead of throwing on the first one. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  str(name: string): string | undefined;
  str(name: string, fallback: string): string;
  str(name: string, fallback?: string): string | undefined {
    const raw = this.env[name];
    return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  num(name: string, fallback: number, min: number, max: number): number {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      this.problems.push(`${name} must be a number between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.str(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  }

  url(name: string, schemes: string[]): string | undefined {
    const raw = this.str(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!schemes.includes(parsed.protocol.replace(':', ''))) {
        this.problems.push(`${name} must use one of the schemes ${schemes.join(', ')}`);
      }
    } catch {
      // Never echo the value: a database URL carries a password.
      this.problems.push(`${name} is not a valid URL`);
    }
    return raw;
  }

  keyValues(name: string): Record<string, string> {
    const raw = this.str(name);
    if (raw === undefined) return {};
    const out: Record<string, string> = {};
    for (const pair of raw.split(',')) {
      const [k, v] = pair.split('=');
      if (!k || v === undefined) {
        this.problems.push(`${name} must look like key=value,key2=value2`);
        return {};
      }
      out[k.trim()] = v.trim();
    }
    return out;
  }

  require(name: string, value: string | undefined, why: string): void {
    if (value === undefined) this.problems.push(`${name} is required ${why}`);
  }
}

function parseTolerations(r: EnvReader, name: string): KubernetesSandboxConfig['tolerations'] {
  const raw = r.str(name);
  if (raw === undefined) return [];
  const out: KubernetesSandboxConfig['tolerations'] = [];
  for (const entry of raw.split(',')) {
    const match = /^([^=:\s]+)(?:=([^:\s]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(entry.trim());
    if (!match) {
      r.problems.push(`${name} must look like key[=value]:NoSchedule|PreferNoSchedule|NoExecute, comma-separated`);
      return [];
    }
    out.push({ key: match[1], value: match[2] || undefined, effect: match[3] });
  }
  return out;
}

/** `CRUCIBLE_SCHEDULE_TEXT_LONG` for type `text-long`. */
export function scheduleVar(type: string): string {
  return `CRUCIBLE_SCHEDULE_${type.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const SCHEDULE_KEYS: ReadonlyArray<keyof ScheduleRules> = ['registrationMinutes', 'maxDurationHours', 'gapHours', 'roundDeadlineMinutes'];

function scheduleOf(r: EnvReader, type: string): Partial<ScheduleRules> {
  const name = scheduleVar(type);
  const out: Partial<ScheduleRules> = {};
  for (const [k, v] of Object.entries(r.keyValues(name))) {
    const n = Number(v);
    if (!SCHEDULE_KEYS.includes(k as keyof ScheduleRules) || !Number.isFinite(n) || n < 0) {
      r.problems.push(`${name} takes ${SCHEDULE_KEYS.join(', ')} as key=number pairs`);
      return {};
    }
    out[k as keyof ScheduleRules] = n;
  }
  return out;
}

function rulebookOverridesOf(r: EnvReader): Partial<Rulebook> {
  const raw = r.str('CRUCIBLE_RULEBOOK_OVERRIDES');
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Partial<Rulebook>;
  } catch {
    // reported below
  }
  r.problems.push('CRUCIBLE_RULEBOOK_OVERRIDES must be a JSON object of rulebook constants');
  return {};
}

function staticMetagraph(r: EnvReader): Record<string, number> | undefined {
  const pairs = r.keyValues('CRUCIBLE_STATIC_METAGRAPH');
  if (Object.keys(pairs).length === 0) return undefined;
  const out: Record<string, number> = {};
  for (const [hotkey, uid] of Object.entries(pairs)) {
    const n = Number(uid);
    if (!Number.isInteger(n) || n < 0 || n > 65535) r.problems.push(`CRUCIBLE_STATIC_METAGRAPH: uid for ${hotkey} must be 0..65535`);
    out[hotkey] = n;
  }
  return out;
}

function u64(r: EnvReader, name: string): string | undefined {
  const raw = r.str(name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,20}$/.test(raw) || BigInt(raw) >= 1n << 64n) r.problems.push(`${name} must be an unsigned 64-bit integer`);
  return raw;
}

/** `*`: any host; otherwise a comma-separated list of exact host names. */
function allowedGitHosts(raw: string | undefined): string[] | null {
  const hosts = (raw ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  return hosts.includes('*') ? null : hosts;
}

function gitAuthor(r: EnvReader, name: string): string {
  const raw = r.str(name, 'Crucible <crucible@users.noreply.github.com>');
  if (!/^[^<>]+ <[^<>\s]+>$/.test(raw)) r.problems.push(`${name} must look like "Name <email>"`);
  return raw;
}

/** "crucible": the profile shipped in sandbox-images/; "default": the engine's own; else a file path. */
function seccompProfile(choice: string): string | null {
  if (choice === 'default') return null;
  if (choice !== 'crucible') return path.resolve(choice);
  // The package root is the nearest folder above this file with sandbox-images/ (src/ or dist/src/).
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'sandbox-images', 'seccomp.json');
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

export function loadConfig(env: Env = process.env, overrides: { role?: Role } = {}): AppConfig {
  const r = new EnvReader(env);
  const dataDir = path.resolve(r.str('CRUCIBLE_DATA_DIR', './data'));
  const driver = r.oneOf<SandboxDriver>('CRUCIBLE_SANDBOX_DRIVER', ['docker', 'kubernetes'], 'docker');

  let kubernetes: KubernetesSandboxConfig | undefined;
  if (driver === 'kubernetes') {
    const namespace = r.str('CRUCIBLE_K8S_NAMESPACE');
    r.require('CRUCIBLE_K8S_NAMESPACE', namespace, 'when CRUCIBLE_SANDBOX_DRIVER=kubernetes');
    const artifactVolumeClaim = r.str('CRUCIBLE_K8S_ARTIFACT_PVC');
    r.require('CRUCIBLE_K8S_ARTIFACT_PVC', artifactVolumeClaim, 'when CRUCIBLE_SANDBOX_DRIVER=kubernetes');
    kubernetes = {
      namespace: namespace ?? '',
      kubeconfig: r.str('KUBECONFIG'),
      runtimeClassName: r.str('CRUCIBLE_K8S_RUNTIME_CLASS'),
      nodeSelector: r.keyValues('CRUCIBLE_K8S_NODE_SELECTOR'),
      artifactVolumeClaim: artifactVolumeClaim ?? '',
      jobTtlSeconds: r.int('CRUCIBLE_K8S_JOB_TTL_SECONDS', 3600, 0, 7 * 86400),
      tolerations: parseTolerations(r, 'CRUCIBLE_K8S_TOLERATIONS'),
      pollMs: r.int('CRUCIBLE_K8S_POLL_MS', 2000, 50, 60_000),
      userNamespaces: r.bool('CRUCIBLE_K8S_USER_NAMESPACES', true),
    };
  }

  const chainEndpoint = r.url('CRUCIBLE_CHAIN_ENDPOINT', ['ws', 'wss']);
  const walletPath = r.str('CRUCIBLE_WALLET_PATH');
  const mnemonicFile = r.str('CRUCIBLE_MNEMONIC_FILE');
  const dryRun = r.bool('CRUCIBLE_WEIGHTS_DRY_RUN', chainEndpoint === undefined);
  if (chainEndpoint && !dryRun && !walletPath && !mnemonicFile) {
    r.problems.push('CRUCIBLE_WALLET_PATH or CRUCIBLE_MNEMONIC_FILE is required to set weights on chain (or set CRUCIBLE_WEIGHTS_DRY_RUN=true)');
  }

  const types = r.str('CRUCIBLE_TOURNAMENT_TYPES', 'text,image').split(',').map((t) => t.trim()).filter(Boolean);
  const rulebookOverrides = rulebookOverridesOf(r);
  const schedules = Object.fromEntries(types.map((type) => [type, scheduleOf(r, type)]));
  for (const type of types) {
    const rulebook = newTournamentRulebook({ rules: rulebookOverrides, schedule: schedules[type] });
    const problems = validateTournamentRulebook(rulebook);
    if (!(type in rulebook.pools)) problems.push(`no weight pool for ${type} (set CRUCIBLE_RULEBOOK_OVERRIDES' pools)`);
    if (problems.length) r.problems.push(`the rulebook of tournament type ${type} (defaults, CRUCIBLE_RULEBOOK_OVERRIDES, ${scheduleVar(type)}): ${problems.join('; ')}`);
  }

  const insecureGit = r.bool('CRUCIBLE_GIT_ALLOW_INSECURE', false);
  const baselineRepo = r.str('CRUCIBLE_BASELINE_REPO_URL');
  const baselineCommit = r.str('CRUCIBLE_BASELINE_COMMIT');
  if (baselineRepo && !/^[0-9a-f]{40}$/.test(baselineCommit ?? '')) {
    r.problems.push('CRUCIBLE_BASELINE_COMMIT must be a full 40-hex commit when CRUCIBLE_BASELINE_REPO_URL is set');
  }
  for (const [hw, n] of Object.entries(r.keyValues('CRUCIBLE_RUN_CONCURRENCY'))) {
    if (!/^\d+$/.test(n) || Number(n) < 1) r.problems.push(`CRUCIBLE_RUN_CONCURRENCY for ${hw} must be an integer >= 1`);
  }

  const githubOrg = r.str('CRUCIBLE_GITHUB_ORG');
  const githubToken = r.str('CRUCIBLE_GITHUB_TOKEN');
  if (githubOrg && !githubToken) r.problems.push('CRUCIBLE_GITHUB_TOKEN is required when CRUCIBLE_GITHUB_ORG is set');

  const config: AppConfig = {
    port: r.int('PORT', 3000, 0, 65535),
    host: r.str('CRUCIBLE_HOST', '127.0.0.1'),
    logFormat: r.oneOf('CRUCIBLE_LOG_FORMAT', ['text', 'json'] as const, 'text'),
    role: overrides.role ?? r.oneOf<Role>('CRUCIBLE_ROLE', ['api', 'worker', 'all'], 'all'),
    dataDir,
    audit: { artifactRetentionDays: r.int('CRUCIBLE_ARTIFACT_RETENTION_DAYS', 8, 1, 3650) },
    adminToken: r.str('CRUCIBLE_ADMIN_TOKEN'),
    webDir: r.str('CRUCIBLE_WEB_DIR'),
    logLevel: r.oneOf('CRUCIBLE_LOG_LEVEL', ['error', 'warn', 'log', 'debug', 'verbose'] as const, 'log'),
    database: {
      url: r.url('DATABASE_URL', ['postgres', 'postgresql']),
      embeddedDir: path.resolve(dataDir, r.str('CRUCIBLE_EMBEDDED_DB_DIR', 'pglite')),
      migrateOnStart: r.bool('CRUCIBLE_MIGRATE_ON_START', true),
    },
    sandbox: {
      driver,
      instance: r.str('CRUCIBLE_SANDBOX_INSTANCE', 'default'),
      image: r.str('CRUCIBLE_SANDBOX_IMAGE', 'crucible/trainer-cpu:1'),
      memoryMb: r.int('CRUCIBLE_SANDBOX_MEMORY_MB', 2048, 64, 1024 * 1024),
      cpus: r.num('CRUCIBLE_SANDBOX_CPUS', 1, 0.1, 256),
      pidsLimit: r.int('CRUCIBLE_SANDBOX_PIDS', 256, 16, 65536),
      outputMaxMb: r.int('CRUCIBLE_SANDBOX_OUTPUT_MAX_MB', 256, 1, 1024 * 1024),
      logMaxKb: r.int('CRUCIBLE_SANDBOX_LOG_MAX_KB', 1024, 16, 1024 * 1024),
      gracePeriodSeconds: r.int('CRUCIBLE_SANDBOX_GRACE_SECONDS', 10, 0, 3600),
      scratchMb: r.int('CRUCIBLE_SANDBOX_SCRATCH_MB', 512, 16, 1024 * 1024),
      maxFiles: r.int('CRUCIBLE_SANDBOX_MAX_FILES', 4096, 16, 1024 * 1024),
      seccompProfile: seccompProfile(r.str('CRUCIBLE_SANDBOX_SECCOMP', 'crucible')),
      gpuImage: r.str('CRUCIBLE_SANDBOX_GPU_IMAGE', 'crucible/trainer-cuda:1'),
      gpusPerRun: r.int('CRUCIBLE_SANDBOX_GPUS_PER_RUN', 1, 0, 64),
      repo: {
        gitToken: r.str('CRUCIBLE_GIT_TOKEN'),
        allowInsecureSchemes: insecureGit,
        allowedHosts: allowedGitHosts(r.str('CRUCIBLE_GIT_ALLOWED_HOSTS', insecureGit ? '*' : 'github.com,gitlab.com,huggingface.co')),
        // Local mirrors and the test suite's git server listen on loopback: only in insecure mode.
        allowPrivateAddresses: insecureGit,
        maxRepoMb: r.int('CRUCIBLE_REPO_MAX_MB', 50, 1, 64 * 1024),
        maxRepoFiles: r.int('CRUCIBLE_REPO_MAX_FILES', 10_000, 1, 1_000_000),
        gitTimeoutSeconds: r.int('CRUCIBLE_GIT_TIMEOUT_SECONDS', 120, 5, 3600),
      },
      docker: { socketPath: r.str('DOCKER_SOCKET', '/var/run/docker.sock') },
      kubernetes,
    },
    evaluation: {
      executionProvider: r.oneOf<ExecutionProviderChoice>('CRUCIBLE_EXECUTION_PROVIDER', ['auto', 'cpu', 'cuda'], 'auto'),
      maxModelMb: r.int('CRUCIBLE_EVAL_MAX_MODEL_MB', 512, 1, 64 * 1024),
      timeoutSeconds: r.int('CRUCIBLE_EVAL_TIMEOUT_SECONDS', 600, 1, 86400),
      memoryMb: r.int('CRUCIBLE_EVAL_MEMORY_MB', 4096, 128, 1024 * 1024),
      threads: r.int('CRUCIBLE_EVAL_THREADS', 0, 0, 256),
      datasetsDir: r.str('CRUCIBLE_DATASETS_DIR') === undefined ? undefined : path.resolve(r.str('CRUCIBLE_DATASETS_DIR') as string),
      workerEnv: Object.fromEntries(
        ['PATH', 'LD_LIBRARY_PATH', 'CUDA_VISIBLE_DEVICES'].flatMap((name) => (env[name] === undefined ? [] : [[name, env[name] as string]])),
      ),
    },
    chain: {
      endpoint: chainEndpoint,
      netuid: r.int('CRUCIBLE_NETUID', 56, 0, 65535),
      walletPath,
      mnemonicFile,
      dryRun,
      ownerUid: r.int('CRUCIBLE_OWNER_UID', 0, 0, 65535),
      walletHotkey: r.str('CRUCIBLE_WALLET_HOTKEY', 'default'),
      versionKey: u64(r, 'CRUCIBLE_WEIGHTS_VERSION_KEY'),
      weightsMaxTries: r.int('CRUCIBLE_WEIGHTS_MAX_TRIES', 5, 1, 100),
      retryBaseMs: r.int('CRUCIBLE_CHAIN_RETRY_BASE_MS', 2000, 1, 600_000),
      blockTimeMs: r.int('CRUCIBLE_BLOCK_TIME_MS', 12_000, 1, 600_000),
      staticMetagraph: staticMetagraph(r),
    },
    publishing: {
      githubOrg,
      githubToken,
      gitBaseUrl: r.str('CRUCIBLE_GIT_BASE_URL', 'https://github.com'),
      githubApiUrl: r.str('CRUCIBLE_GITHUB_API_URL', 'https://api.github.com'),
      gitAuthor: gitAuthor(r, 'CRUCIBLE_GIT_AUTHOR'),
    },
    tournaments: {
      types,
      autoSchedule: r.bool('CRUCIBLE_AUTO_SCHEDULE', true),
      rulebookOverrides,
      schedules,
      baseline: baselineRepo ? { repoUrl: baselineRepo, commitSha: baselineCommit ?? '' } : undefined,
      concurrency: Object.fromEntries(
        Object.entries(r.keyValues('CRUCIBLE_RUN_CONCURRENCY')).map(([k, v]) => [k, Number(v)]),
      ),
      maxInfraRetries: r.int('CRUCIBLE_MAX_INFRA_RETRIES', 3, 0, 100),
      maxInfraRetriesTotal: r.int('CRUCIBLE_MAX_INFRA_RETRIES_TOTAL', 8, 0, 1000),
      roundDeadlineMinutes: r.int('CRUCIBLE_ROUND_DEADLINE_MINUTES', 24 * 60, 1, 90 * 24 * 60),
      leaseSeconds: r.int('CRUCIBLE_RUN_LEASE_SECONDS', 60, 2, 3600),
      infraBackoffSeconds: r.int('CRUCIBLE_INFRA_BACKOFF_SECONDS', 300, 0, 86400),
    },
    workerId: r.str('CRUCIBLE_WORKER_ID', `worker-${process.pid}`),
    schedulerTickMs: r.int('CRUCIBLE_TICK_MS', 2000, 50, 3600_000),
    storage: {
      runsRetentionDays: r.int('CRUCIBLE_RUNS_RETENTION_DAYS', 14, 1, 3650),
      runsMaxMb: r.int('CRUCIBLE_RUNS_MAX_MB', 50 * 1024, 1, 1024 * 1024 * 1024),
      repoCacheRetentionDays: r.int('CRUCIBLE_REPO_CACHE_RETENTION_DAYS', 14, 1, 3650),
      repoCacheMaxMb: r.int('CRUCIBLE_REPO_CACHE_MAX_MB', 10 * 1024, 1, 1024 * 1024 * 1024),
      pruneIntervalMinutes: r.int('CRUCIBLE_PRUNE_INTERVAL_MINUTES', 60, 1, 7 * 24 * 60),
    },
    events: {
      pollMs: r.int('CRUCIBLE_EVENTS_POLL_MS', 500, 10, 60_000),
      heartbeatMs: r.int('CRUCIBLE_EVENTS_HEARTBEAT_MS', 15_000, 50, 600_000),
      retentionHours: r.int('CRUCIBLE_EVENTS_RETENTION_HOURS', 72, 1, 24 * 365),
      maxClientLag: r.int('CRUCIBLE_EVENTS_CLIENT_MAX_LAG', 10_000, 1, 10_000_000),
    },
    testPauseAt: r.str('CRUCIBLE_TEST_PAUSE_AT') === undefined ? null : r.oneOf<PausePointName>('CRUCIBLE_TEST_PAUSE_AT', PAUSE_POINTS, 'claimed'),
  };

  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** The environment with some variables fixed by the caller (the demo's embedded defaults). */
export function loadConfigWith(fixed: Record<string, string>, defaults: Record<string, string> = {}): AppConfig {
  return loadConfig({ ...defaults, ...process.env, ...fixed });
}
