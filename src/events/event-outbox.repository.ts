import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CrucibleEvent } from './events.types';

interface EventRow {
  id: string;
  type: CrucibleEvent['type'];
  tournamentId: string | null;
  data: CrucibleEvent['data'];
}

/** Transaction ids visible as finished: every transaction below xmin has ended; xmax is the next to start. */
export interface SnapshotBounds {
  xmin: bigint;
  xmax: bigint;
}

/**
 * Reads the outbox the triggers write (the table has no entity: its rows are written only by the
 * database). Ids come from a sequence, so a later id can commit before an earlier one; the feed
 * uses the snapshot bounds to tell an id still in flight from one whose transaction rolled back.
 */
@Injectable()
export class EventOutboxRepository {
  constructor(private readonly ds: DataSource) {}

  /** Events with `after < id <= upTo` (any when upTo is omitted), oldest first. */
  async after(after: number, limit: number, upTo?: number): Promise<CrucibleEvent[]> {
    const rows: EventRow[] = await this.ds.query(
      `SELECT "id", "type", "tournamentId", "data" FROM "events" WHERE "id" > $1 AND ($2::bigint IS NULL OR "id" <= $2) ORDER BY "id" LIMIT $3`,
      [after, upTo ?? null, limit],
    );
    return rows.map((r) => ({ id: Number(r.id), type: r.type, tournamentId: r.tournamentId, data: r.data }) as CrucibleEvent);
  }

  async lastId(): Promise<number> {
    const [row] = await this.ds.query(`SELECT COALESCE(MAX("id"), 0) AS id FROM "events"`);
    return Number(row.id);
  }

  async snapshot(): Promise<SnapshotBounds> {
    const [row] = await this.ds.query(
      `SELECT pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax FROM pg_current_snapshot() AS s`,
    );
    return { xmin: BigInt(row.xmin), xmax: BigInt(row.xmax) };
  }

  /** Deletes events recorded more than `hours` ago (by the database's clock, which recorded them); returns how many. */
  async pruneOlderThan(hours: number): Promise<number> {
    const [row] = await this.ds.query(
      `WITH gone AS (DELETE FROM "events" WHERE "recordedAt" < now() - make_interval(hours => $1) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [hours],
    );
    return Number(row.n);
  }
}
