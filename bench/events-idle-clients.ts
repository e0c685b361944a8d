/**
 * Memory of idle server-sent-event clients: an API-role server (child process, embedded database)
 * answers /health and one warm-up stream; its resident set size is read from /proc; then N clients
 * open GET /api/events and stay connected through a few heartbeats; the RSS is read again. The
 * budget (issue 12) is 50 MB for 200 clients.
 * Run: npm run bench -- events-idle-clients [--clients 200] [--idle-seconds 5]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { openEventStream, SseClient } from '../test/support/sse-client';

const BUDGET_MB = 50;
const PORT = 39_901;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function main(): Promise<void> {
  const clients = Number(option('clients', '200'));
  const idleMs = Number(option('idle-seconds', '5')) * 1000;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-sse-'));
  const root = path.resolve(__dirname, '..');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'src', 'cli.ts'), 'serve', '--role', 'api'], {
    cwd: root,
    env: { ...process.env, PORT: String(PORT), CRUCIBLE_DATA_DIR: dataDir, CRUCIBLE_LOG_LEVEL: 'warn', CRUCIBLE_EVENTS_HEARTBEAT_MS: '1000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${PORT}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const open: SseClient[] = [];
  try {
    const deadline = Date.now() + 180_000;
    while (!(await fetch(`${base}/health`).then((r) => r.status < 500, () => false))) {
      if (child.exitCode !== null) throw new Error(`the server exited ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('the server did not answer /health');
      await sleep(250);
    }
    // One stream opened and closed first: the route's code is loaded before the baseline is read.
    const warm = openEventStream(`${base}/api/events`, {}, agent);
    if ((await warm.status) !== 200) throw new Error('GET /api/events did not answer 200');
    await sleep(1500);
    warm.close();
    await sleep(idleMs);
    const before = rssMb(child.pid!);

    for (let i = 0; i < clients; i++) open.push(openEventStream(`${base}/api/events`, {}, agent));
    const statuses = await Promise.all(open.map((c) => c.status));
    if (statuses.some((s) => s !== 200)) throw new Error(`not every stream opened: ${statuses.filter((s) => s !== 200).length} failed`);
    await sleep(idleMs);
    const heartbeats = open.reduce((n, c) => n + c.comments.length, 0);
    const during = rssMb(child.pid!);
    const extra = during - before;
    console.log(`clients: ${clients}`);
    console.log(`heartbeats_received: ${heartbeats}`);
    console.log(`rss_before_mb: ${before.toFixed(1)}`);
    console.log(`rss_with_clients_mb: ${during.toFixed(1)}`);
    console.log(`extra_mb: ${extra.toFixed(1)}`);
    console.log(`extra_kb_per_client: ${((extra * 1024) / clients).toFixed(1)}`);
    console.log(`direction: extra RSS of ${clients} idle clients over the ${BUDGET_MB} MB budget; lower is better, under 1 meets it`);
    console.log(`ratio: ${(extra / BUDGET_MB).toFixed(3)}`);
  } finally {
    for (const c of open) c.close();
    agent.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
