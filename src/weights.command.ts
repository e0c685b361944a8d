import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { loadConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CoreModule } from './core.module';
import { DatabaseModule } from './db/database.module';
import { TournamentsModule } from './tournaments/tournaments.module';
import { WeightsPreviewService } from './tournaments/weights-preview.service';

/** `crucible weights`: the vector that would be set now, from the database alone. */
export async function printWeights(opts: { json?: boolean }): Promise<number> {
  const config = loadConfig();
  @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule, CoreModule, TournamentsModule] })
  class WeightsCliModule {}
  const app = await NestFactory.createApplicationContext(WeightsCliModule, { logger: ['error'] });
  try {
    const preview = await app.get(WeightsPreviewService).preview();
    if (opts.json) {
      console.log(JSON.stringify(preview, null, 2));
      return 0;
    }
    if (preview.tournaments.length === 0) {
      console.log('no decided tournament yet: every weight would go to the owner/burn uid');
      return 0;
    }
    for (const t of preview.tournaments) console.log(`pool ${t.type}: tournament ${t.id} (cycle ${t.cycle}, rulebook ${t.rulebookVersion})`);
    console.log('uid     weight     u16');
    preview.vector.uids.forEach((uid, i) => {
      const u16 = preview.emit ? preview.emit.weights[preview.emit.uids.indexOf(uid)] : 0;
      console.log(`${String(uid).padStart(3)}  ${preview.vector.weights[i].toFixed(6)}  ${String(u16).padStart(6)}`);
    });
    return 0;
  } finally {
    await app.close();
  }
}
