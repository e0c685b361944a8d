/**
 * Idle memory of `crucible serve` per role: each role boots on a fresh embedded database (PGlite),
 * answers /health, idles a few seconds, and its resident set size is read from /proc. The baseline
 * is a bare Node HTTP server measured the same way. Needs a build (`npm run build`).
 * Run: npm run bench -- idle-memory [--dist dist] [--idle-seconds 5]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROLES = ['api', 'worker', 'all'] as const;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** Starts `args` with PORT set, waits for GET /health to answer, idles, reads the RSS, stops it. */
async function idleRss(args: string[], env: Record<string, string>, port: number, idleMs: number): Promise<number> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`${args.join(' ')} did not answer /health`);
      const up = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status < 500, () => false);
      if (up) break;
      await sleep(250);
    }
    await sleep(idleMs);
    return rssMb(child.pid!);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

async function main(): Promise<void> {
  const dist = path.resolve(option('dist', 'dist'));
  const idleMs = Number(option('idle-seconds', '5')) * 1000;
  const cli = path.join(dist, 'src', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} not found: run npm run build first`);
  const bare = await idleRss(['-e', "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')"], {}, 39_871, idleMs);
  console.log(`bare_node_http_rss_mb: ${bare.toFixed(0)}`);
  const results: Record<string, number> = {};
  for (const [i, role] of ROLES.entries()) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-idle-'));
    try {
      results[role] = await idleRss([cli, 'serve', '--role', role], { CRUCIBLE_DATA_DIR: dataDir, CRUCIBLE_LOG_LEVEL: 'warn', CRUCIBLE_SANDBOX_INSTANCE: `bench-idle-${process.pid}` }, 39_872 + i, idleMs);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    console.log(`${role}_rss_mb: ${results[role].toFixed(0)}`);
  }
  console.log('direction: idle RSS of `crucible serve` (role all) over a bare Node HTTP server; lower is better');
  console.log(`ratio: ${(results.all / bare).toFixed(2)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
