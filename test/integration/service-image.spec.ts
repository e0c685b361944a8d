import { execFile } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { createTestDatabase, type TestDatabase } from '../support/databases';

/**
 * The service image (images/crucible) as an operator runs it: built by `npm run image` (or reused from
 * the build cached under its inputs tag), started with Docker on a read-only root against the test
 * PostgreSQL. dockerd runs with --bridge=none here, so the container shares the host's network
 * (a free port on 127.0.0.1) to reach PostgreSQL.
 */
const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);
const docker = new Docker();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until `check` returns a value; the suite's timeout bounds it, nothing here measures time. */
async function eventually<T>(check: () => Promise<T | undefined>, what: string, tries = 300): Promise<T> {
  for (let i = 0; i < tries; i += 1) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('service image (images/crucible)', () => {
  let image: string;
  let db: TestDatabase;
  let container: Docker.Container | undefined;
  let port: number;

  beforeAll(async () => {
    // First build: a few minutes (debootstrap, npm ci); afterwards the inputs tag is found and reused.
    const { stdout } = await run('bash', ['scripts/build-service-image.sh', '--print-inputs-tag'], { cwd: ROOT });
    image = stdout.trim();
    await run('bash', ['scripts/build-service-image.sh'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60_000 });
    db = await createTestDatabase('postgres');
    port = await freePort();
  }, 16 * 60_000);

  afterAll(async () => {
    await container?.remove({ force: true, v: true }).catch(() => undefined);
    await db?.drop();
  });

  it('is built for a non-root user with tini as PID 1, crucible as the command and a health check', async () => {
    const info = await docker.getImage(image).inspect();
    expect(info.Config.User).toBe('1000:1000');
    expect(info.Config.Entrypoint).toEqual(['/usr/bin/tini', '--', '/usr/local/bin/crucible']);
    expect(info.Config.Cmd).toEqual(['serve']);
    expect(info.Config.Healthcheck?.Test?.join(' ')).toContain('/health');
    expect(info.Config.Env).toEqual(expect.arrayContaining(['CRUCIBLE_DATA_DIR=/data', 'TMPDIR=/data/tmp', 'NODE_ENV=production']));
    expect(Object.keys(info.Config.Volumes ?? {})).toEqual(['/data']);
  });

  it('serves /health and the API from a read-only root against PostgreSQL, and reports healthy', async () => {
    container = await docker.createContainer({
      Image: image,
      Cmd: ['serve', '--role', 'api'],
      Env: [`DATABASE_URL=${db.config.url}`, `PORT=${port}`, 'CRUCIBLE_HOST=127.0.0.1'],
      HostConfig: { NetworkMode: 'host', ReadonlyRootfs: true, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges:true'] },
    });
    await container.start();
    const base = `http://127.0.0.1:${port}`;

    const health = await eventually(async () => {
      const state = (await container!.inspect()).State;
      if (!state.Running) throw new Error(`container exited ${state.ExitCode}: ${String(await container!.logs({ stdout: true, stderr: true }))}`);
      const res = await fetch(`${base}/health`);
      return res.ok ? ((await res.json()) as { status: string; role: string; database: { engine: string } }) : undefined;
    }, '/health');
    expect(health).toMatchObject({ status: 'ok', role: 'api', database: { engine: 'postgresql' } });

    const tournaments = await fetch(`${base}/api/tournaments`);
    expect(tournaments.status).toBe(200);
    expect(await tournaments.json()).toMatchObject({ items: [], total: 0 });

    // The image's own HEALTHCHECK (node fetching /health inside the container) passes.
    await eventually(async () => ((await container!.inspect()).State.Health?.Status === 'healthy' ? true : undefined), 'HEALTHCHECK healthy');

    const top = (await container.top({ ps_args: '-o pid,user,args' })) as { Processes: string[][] };
    const lines = top.Processes.map((p) => p.join(' '));
    expect(lines.find((line) => line.includes('tini'))).toContain('/usr/bin/tini -- /usr/local/bin/crucible serve --role api');
    expect(top.Processes.every((p) => p[1] !== 'root')).toBe(true);
  }, 10 * 60_000);
});
