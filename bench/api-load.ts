/**
 * API under load on the embedded database (PGlite): many keep-alive connections hammer a list route
 * (GET /api/tournaments, two queries per request) for a while, then a bare route through the same
 * Nest pipeline under the same load; latency percentiles of both, measured in one run.
 * The load comes from a child process (its own event loop), so the server's loop is the one measured.
 * Run: npm run bench -- api-load [--connections 200] [--seconds 20]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Controller, Get } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/config/app-config';
import { configureHttp } from '../src/main';
import { createTestDatabase } from '../test/support/databases';
import { createClosedTournament } from '../test/support/tournaments';

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  /** Latencies in ms, sorted. */
  latencies: number[];
}

/** The baseline: a route through the same Nest pipeline that does no work. */
@Controller('bench')
class BareController {
  @Get('bare')
  bare(): { ok: boolean } {
    return { ok: true };
  }
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Client mode: `connections` closed loops of keep-alive GETs for `seconds`; prints a LoadResult as JSON. */
async function generateLoad(port: number, route: string, connections: number, seconds: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  const start = Date.now();
  const deadline = start + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = process.hrtime.bigint();
      http
        .get({ host: '127.0.0.1', port, path: route, agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
            resolve();
          });
        })
        .on('error', () => {
          errors++;
          resolve();
        });
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < deadline) await one();
    }),
  );
  agent.destroy();
  return { requests: latencies.length, errors, seconds: (Date.now() - start) / 1000, latencies: latencies.sort((a, b) => a - b) };
}

function runClient(port: number, route: string, connections: number, seconds: number): Promise<LoadResult> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', __filename, '--client', String(port), route, String(connections), String(seconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load client exited ${code}`))));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}

function report(name: string, r: LoadResult, cpu: NodeJS.CpuUsage): number {
  const p999 = percentile(r.latencies, 99.9);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(`${name}_requests: ${r.requests}`);
  console.log(`${name}_errors: ${r.errors}`);
  console.log(`${name}_rps: ${(r.requests / r.seconds).toFixed(0)}`);
  console.log(`${name}_p50_ms: ${percentile(r.latencies, 50).toFixed(1)}`);
  console.log(`${name}_p99_ms: ${percentile(r.latencies, 99).toFixed(1)}`);
  console.log(`${name}_p99_9_ms: ${p999.toFixed(1)}`);
  console.log(`${name}_max_ms: ${r.latencies[r.latencies.length - 1].toFixed(1)}`);
  console.log(`${name}_over_1s: ${r.latencies.filter((l) => l > 1000).length}`);
  // The server's own CPU time: on a shared machine, a share well under 1 core means it waited for a CPU.
  console.log(`${name}_server_cpu_ms_per_request: ${(cpuMs / r.requests).toFixed(3)}`);
  console.log(`${name}_server_cpu_share: ${(cpuMs / 1000 / r.seconds).toFixed(2)}`);
  return p999;
}

async function main(): Promise<void> {
  const connections = option('connections', 200);
  const seconds = option('seconds', 20);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-load-'));
  const db = await createTestDatabase('pglite');
  const config = loadConfig({ CRUCIBLE_DATA_DIR: dir, CRUCIBLE_EMBEDDED_DB_DIR: db.config.embeddedDir, CRUCIBLE_LOG_LEVEL: 'error' });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRole(config, 'api')], controllers: [BareController] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'], bodyParser: false });
  configureHttp(app);
  try {
    await app.init();
    for (let i = 0; i < 30; i++) await createClosedTournament(app);
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const route = '/api/tournaments?limit=20';
    console.log(`connections: ${connections}`);
    console.log(`seconds: ${seconds}`);
    console.log(`route: ${route}`);
    console.log(`host_load_average: ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores`);
    const measure = async (name: string, path: string) => {
      const cpu = process.cpuUsage();
      const result = await runClient(port, path, connections, seconds);
      return report(name, result, process.cpuUsage(cpu));
    };
    const list = await measure('list', route);
    const bare = await measure('bare', '/bench/bare');
    console.log('direction: p99.9 latency of the list route over that of the bare route; lower is better');
    console.log(`ratio: ${(list / bare).toFixed(2)}`);
  } finally {
    await app.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--client') {
  const [port, route, connections, seconds] = process.argv.slice(3);
  generateLoad(Number(port), route, Number(connections), Number(seconds))
    .then((r) => process.stdout.write(JSON.stringify(r)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
} else {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
