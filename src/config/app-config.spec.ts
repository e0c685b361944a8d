import * as path from 'node:path';
import { ConfigError, loadConfig, loadConfigWith } from './app-config';

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('loadConfig', () => {
  it('composes every section; with nothing set, the documented defaults (README, "Configuration")', () => {
    const config = loadConfig({ PATH: '/usr/bin' });
    const repoRoot = path.join(__dirname, '..', '..');
    expect(config).toEqual({
      port: 3000,
      host: '127.0.0.1',
      role: 'all',
      dataDir: path.join(process.cwd(), 'data'),
      adminToken: undefined,
      webDir: path.join(repoRoot, 'dist', 'web'),
      logLevel: 'log',
      logFormat: 'text',
      workerId: `worker-${process.pid}`,
      schedulerTickMs: 2000,
      testPauseAt: null,
      database: { url: undefined, embeddedDir: path.join(process.cwd(), 'data', 'pglite'), migrateOnStart: true },
      sandbox: {
        driver: 'docker',
        instance: 'default',
        image: 'crucible/trainer-cpu:1',
        memoryMb: 2048,
        cpus: 1,
        pidsLimit: 256,
        outputMaxMb: 256,
        logMaxKb: 1024,
        gracePeriodSeconds: 10,
        scratchMb: 512,
        maxFiles: 4096,
        seccompProfile: path.join(repoRoot, 'sandbox-images', 'seccomp.json'),
        gpuImage: 'crucible/trainer-cuda:1',
        gpusPerRun: 1,
        repo: {
          gitToken: undefined,
          allowInsecureSchemes: false,
          allowedHosts: ['github.com', 'gitlab.com', 'huggingface.co'],
          allowPrivateAddresses: false,
          maxRepoMb: 50,
          maxRepoFiles: 10000,
          gitTimeoutSeconds: 120,
        },
        docker: { socketPath: '/var/run/docker.sock' },
      },
      evaluation: {
        executionProvider: 'auto',
        maxModelMb: 512,
        timeoutSeconds: 600,
        memoryMb: 4096,
        threads: 0,
        workerEnv: { PATH: '/usr/bin' },
        datasetsDir: undefined,
      },
      chain: {
        endpoint: undefined,
        netuid: 56,
        walletPath: undefined,
        mnemonicFile: undefined,
        dryRun: true,
        ownerUid: 0,
        walletHotkey: 'default',
        versionKey: undefined,
        weightsMaxTries: 5,
        retryBaseMs: 2000,
        blockTimeMs: 12000,
        staticMetagraph: undefined,
      },
      audit: { artifactRetentionDays: 8 },
      publishing: {
        githubOrg: undefined,
        githubToken: undefined,
        gitBaseUrl: 'https://github.com',
        githubApiUrl: 'https://api.github.com',
        gitAuthor: 'Crucible <crucible@users.noreply.github.com>',
      },
      tournaments: {
        types: ['text', 'image'],
        autoSchedule: true,
        rulebookOverrides: {},
        schedules: { text: {}, image: {} },
        baseline: undefined,
        concurrency: {},
        maxInfraRetries: 3,
        maxInfraRetriesTotal: 8,
        infraBackoffSeconds: 300,
        roundDeadlineMinutes: 1440,
        leaseSeconds: 60,
      },
      storage: { runsRetentionDays: 14, runsMaxMb: 51200, repoCacheRetentionDays: 14, repoCacheMaxMb: 10240, pruneIntervalMinutes: 60 },
      events: { pollMs: 500, heartbeatMs: 15000, retentionHours: 72, maxClientLag: 10000 },
    });
  });

  it('the embedded database sits in the data directory', () => {
    expect(loadConfig({ CRUCIBLE_DATA_DIR: '/srv/crucible' }).database.embeddedDir).toBe('/srv/crucible/pglite');
  });

  it('lists every problem of every section at once, never echoing a URL', () => {
    const error = thrownBy(() =>
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://crucible:hunter2@db/crucible',
        CRUCIBLE_SANDBOX_DRIVER: 'kubernetes',
        CRUCIBLE_GITHUB_ORG: 'winners',
        CRUCIBLE_EVENTS_POLL_MS: '1',
      }),
    );
    if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
    const problems = [
      'PORT must be an integer between 0 and 65535 (got "eighty")',
      'DATABASE_URL must use one of the schemes postgres, postgresql',
      'CRUCIBLE_K8S_NAMESPACE is required when CRUCIBLE_SANDBOX_DRIVER=kubernetes',
      'CRUCIBLE_K8S_ARTIFACT_PVC is required when CRUCIBLE_SANDBOX_DRIVER=kubernetes',
      'CRUCIBLE_GITHUB_TOKEN is required when CRUCIBLE_GITHUB_ORG is set',
      'CRUCIBLE_EVENTS_POLL_MS must be an integer between 10 and 60000 (got "1")',
    ];
    expect(error.problems).toEqual(problems);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toBe(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    expect(error.message).not.toContain('hunter2');
  });

  it('the role given by the CLI wins over CRUCIBLE_ROLE', () => {
    expect(loadConfig({ CRUCIBLE_ROLE: 'api' }).role).toBe('api');
    expect(loadConfig({ CRUCIBLE_ROLE: 'api' }, { role: 'worker' }).role).toBe('worker');
  });

  it('loadConfigWith: fixed values over the environment over the defaults given', () => {
    const saved = { host: process.env.CRUCIBLE_HOST, tick: process.env.CRUCIBLE_TICK_MS };
    process.env.CRUCIBLE_HOST = '10.0.0.1';
    process.env.CRUCIBLE_TICK_MS = '777';
    try {
      const config = loadConfigWith({ CRUCIBLE_TICK_MS: '100' }, { CRUCIBLE_HOST: '0.0.0.0', CRUCIBLE_WORKER_ID: 'demo' });
      expect([config.schedulerTickMs, config.host, config.workerId]).toEqual([100, '10.0.0.1', 'demo']);
    } finally {
      for (const [name, value] of [['CRUCIBLE_HOST', saved.host], ['CRUCIBLE_TICK_MS', saved.tick]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
