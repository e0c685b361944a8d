/**
 * A worker process for the crash test: a worker app on the given database that ticks until the
 * tournament completes, then prints CRUCIBLE_DONE. With CRUCIBLE_TEST_PAUSE_AT in `env` it freezes at
 * that step boundary (CRUCIBLE_PAUSED <point>) and the test kills it with SIGKILL.
 * argv: <options JSON: { db, dataDir, env, tournamentId }>
 */
import type { DatabaseConfig } from '../../src/config/app-config';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { startWorker } from './worker';

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2]) as { db: DatabaseConfig; dataDir: string; env: Record<string, string>; tournamentId: string };
  const w = await startWorker({ db: opts.db, dataDir: opts.dataDir, env: opts.env });
  for (;;) {
    await w.step();
    const t = await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id: opts.tournamentId });
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
