/**
 * A worker process for the crash test: a worker app on the given database that ticks until the
 * tournament completes, then prints CRUCIBLE_DONE. With CRUCIBLE_TEST_PAUSE_AT in `env` it freezes at
 * that step boundary (CRUCIBLE_PAUSED <point>) and the test kills it with SIGKILL.
 * It loads its code, then waits for its start line on stdin (a JSON object with the tournament id)
 * before it starts the app: the crash test starts the next life's process while the current one
 * plays, and lets it start only once the current one is dead (loading code touches nothing the lives
 * share); the multi-worker test starts its workers' processes while it sets up the tournament.
 * Started by standbyWorker (worker-processes.ts).
 * argv: <options JSON: { db, dataDir, env }>
 */
import type { DatabaseConfig } from '../../src/config/app-config';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { startWorker } from './worker';

/** What the worker app loads only as it boots: the worker role's modules, the Docker driver, the HTTP platform and validation. */
async function preload(): Promise<void> {
  await Promise.all([
    import('@nestjs/schedule'),
    import('../../src/worker.module'),
    import('../../src/sandbox/docker/docker-sandbox-runner'),
    import('@nestjs/platform-express'),
    import('class-validator'),
    import('class-transformer'),
  ]);
}

interface Options {
  db: DatabaseConfig;
  dataDir: string;
  env: Record<string, string>;
}

/** The start line: the tournament to play. */
function startSignal(): Promise<{ tournamentId: string }> {
  return new Promise((resolve, reject) => {
    let line = '';
    process.stdin.on('data', (chunk: Buffer) => {
      line += chunk.toString();
      if (!line.includes('\n')) return;
      process.stdin.pause();
      resolve(JSON.parse(line) as { tournamentId: string });
    });
    process.stdin.once('end', () => reject(new Error('stdin closed before the start signal')));
  });
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2]) as Options;
  await preload();
  const { tournamentId } = await startSignal();
  const w = await startWorker({ db: opts.db, dataDir: opts.dataDir, env: opts.env });
  for (;;) {
    await w.step();
    const t = await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id: tournamentId });
    if (t.state === 'completed') break;
  }
  // The last upkeep pass seals the completed tournament's bundle.
  await w.step();
  process.stdout.write('CRUCIBLE_DONE\n');
  await w.app.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
