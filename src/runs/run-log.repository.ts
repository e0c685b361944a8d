import { Injectable } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { LogChallengeEntity } from './log-challenge.entity';

/** What deciding who may read a run's log needs: the log, the entry's hotkey, whether its round is decided. */
export interface RunLogView {
  log: string | null;
  hotkey: string;
  roundDecided: boolean;
}

@Injectable()
export class RunLogRepository {
  constructor(private readonly ds: DataSource) {}

  async view(runId: string): Promise<RunLogView | null> {
    const [row] = await this.ds.query(
      `SELECT r."log", e."hotkey", rd."state" = 'decided' AS "roundDecided"
         FROM "training_runs" r
         JOIN "entrants" e ON e."id" = r."entrantId"
         JOIN "tasks" t ON t."id" = r."taskId"
         JOIN "rounds" rd ON rd."id" = t."roundId"
        WHERE r."id" = $1`,
      [runId],
    );
    return row ? { log: row.log, hotkey: row.hotkey, roundDecided: row.roundDecided === true } : null;
  }

  async runExists(runId: string): Promise<boolean> {
    return (await this.ds.query(`SELECT 1 FROM "training_runs" WHERE "id" = $1`, [runId])).length > 0;
  }

  /** Stores a new challenge and drops expired ones (they can never be used). */
  async issue(challenge: LogChallengeEntity, now: Date): Promise<void> {
    const repo = this.ds.getRepository(LogChallengeEntity);
    await repo.delete({ expiresAt: LessThan(now) });
    await repo.insert(challenge);
  }

  /** Removes and returns the challenge (single use: a second request with it finds nothing). */
  async consume(challenge: string, runId: string): Promise<LogChallengeEntity | null> {
    const rows: LogChallengeEntity[] = await this.ds.query(
      `WITH used AS (DELETE FROM "log_challenges" WHERE "challenge" = $1 AND "runId" = $2 RETURNING "challenge", "runId", "expiresAt") SELECT * FROM used`,
      [challenge, runId],
    );
    return rows[0] ? { ...rows[0], expiresAt: new Date(rows[0].expiresAt) } : null;
  }
}
