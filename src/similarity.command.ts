import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CoreModule } from './core.module';
import { DatabaseModule } from './db/database.module';
import { DEFAULT_SIMILARITY_THRESHOLD } from './submissions/code-similarity';
import { SimilarityReportService } from './submissions/similarity-report.service';
import { SubmissionsModule } from './submissions/submissions.module';

/** `crucible similarity <tournament id>`: the organiser's code similarity report, from the database and the repositories. */
export async function printSimilarity(tournamentId: string, opts: { threshold?: string; json?: boolean }): Promise<number> {
  const threshold = opts.threshold === undefined ? DEFAULT_SIMILARITY_THRESHOLD : Number(opts.threshold);
  if (!(threshold >= 0 && threshold <= 1)) {
    console.error('--threshold must be a number in [0, 1]');
    return 2;
  }
  const config = loadConfig();
  @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule, CoreModule, SubmissionsModule] })
  class SimilarityCliModule {}
  const app = await NestFactory.createApplicationContext(SimilarityCliModule, { logger: ['error'] });
  try {
    const report = await app.get(SimilarityReportService).report(tournamentId, threshold);
    if (opts.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    console.log(`${report.entrants} entrants compared (${report.method}); pairs at or above ${threshold}: ${report.pairs.length}`);
    for (const p of report.pairs) {
      console.log(`${p.similarity.toFixed(3)}  ${p.a.hotkey} ${p.a.repoUrl}@${p.a.commitSha.slice(0, 10)}  ~  ${p.b.hotkey} ${p.b.repoUrl}@${p.b.commitSha.slice(0, 10)}`);
      for (const s of p.shared) console.log(`         ${s.fileA}:${s.linesA[0]}-${s.linesA[1]}  ~  ${s.fileB}:${s.linesB[0]}-${s.linesB[1]}`);
    }
    return 0;
  } finally {
    await app.close();
  }
}
