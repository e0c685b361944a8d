/**
 * Leaderboard latency: GET /api/tournaments/:id/leaderboard of a finished 64-entrant tournament
 * against a bare route on the same HTTP server (same process, same connection reuse).
 * Run: npm run bench -- api-leaderboard
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Controller, Get } from '@nestjs/common';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../test/fakes/in-memory-training';
import { createTestDatabase } from '../test/support/databases';
import { addEntrants, createClosedTournament } from '../test/support/tournaments';
import { startWorker } from '../test/support/worker';

const REQUESTS = 400;

/** The baseline: a route through the same Nest pipeline that does no work. */
@Controller('bench')
class BareController {
  @Get('bare')
  bare(): { ok: boolean } {
    return { ok: true };
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-api-'));
  const db = await createTestDatabase('postgres');
  const worker = await startWorker({
    db: db.config,
    dataDir: dir,
    executor: new InMemoryTrainingExecutor((job) => ({ loss: 2 + (Number(/miner-(\d+)/.exec(job.repoUrl)?.[1] ?? 50) % 17) * 0.01 })),
    taskData: new FakeTaskDataService(path.join(dir, 'eval')),
    env: { CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=64', CRUCIBLE_LOG_LEVEL: 'error' },
    role: 'all',
    controllers: [BareController],
  });
  try {
    const t = await createClosedTournament(worker.app);
    await addEntrants(worker.app, t.id, Array.from({ length: 64 }, (_, i) => ({ repoUrl: `https://example.org/miner-${i}.git` })));
    await worker.runUntil(t.id, 'completed');
    await worker.app.listen(0, '127.0.0.1');
    const port = (worker.app.getHttpServer().address() as AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const time = async (route: string) => {
      for (let i = 0; i < 20; i++) await get(agent, port, route); // warm-up
      const start = process.hrtime.bigint();
      for (let i = 0; i < REQUESTS; i++) await get(agent, port, route);
      return Number(process.hrtime.bigint() - start) / 1e6 / REQUESTS;
    };
    const bare = await time('/bench/bare');
    const board = await time(`/api/tournaments/${t.id}/leaderboard`);
    console.log(`requests: ${REQUESTS}`);
    console.log(`entrants: 64`);
    console.log(`bare_route_ms: ${bare.toFixed(3)}`);
    console.log(`leaderboard_ms: ${board.toFixed(3)}`);
    console.log('direction: leaderboard latency over bare-route latency; lower is better');
    console.log(`ratio: ${(board / bare).toFixed(2)}`);
  } finally {
    await worker.app.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function get(agent: http.Agent, port: number, route: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: route, agent }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`${route}: ${res.statusCode}`));
        res.resume();
        res.on('end', () => resolve());
      })
      .on('error', reject);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
