import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface CountRow {
  label: string;
  n: number;
}

/** The counts /metrics reports from the database (so every process reports the same, whoever changed them). */
@Injectable()
export class MetricsReadRepository {
  constructor(private readonly ds: DataSource) {}

  async runsByStateAndOutcome(): Promise<Array<{ state: string; outcome: string | null; n: number }>> {
    const rows: Array<{ state: string; outcome: string | null; n: string }> = await this.ds.query(
      `SELECT "state", "outcome", count(*) AS n FROM "training_runs" GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    return rows.map((r) => ({ state: r.state, outcome: r.outcome, n: Number(r.n) }));
  }

  queuedByHardware(): Promise<CountRow[]> {
    return this.counts(`SELECT "hardware" AS label, count(*) AS n FROM "training_runs" WHERE "state" = 'queued' GROUP BY 1 ORDER BY 1`);
  }

  weightSetsByStatus(): Promise<CountRow[]> {
    return this.counts(`SELECT "status" AS label, count(*) AS n FROM "weight_sets" GROUP BY 1 ORDER BY 1`);
  }

  bundlesByKind(): Promise<CountRow[]> {
    return this.counts(`SELECT "kind" AS label, count(*) AS n FROM "audit_bundles" GROUP BY 1 ORDER BY 1`);
  }

  async lastSealedAt(): Promise<Date | null> {
    const [row] = await this.ds.query(`SELECT max("sealedAt") AS at FROM "audit_bundles"`);
    return row?.at ? new Date(row.at) : null;
  }

  private async counts(sql: string): Promise<CountRow[]> {
    const rows: Array<{ label: string; n: string }> = await this.ds.query(sql);
    return rows.map((r) => ({ label: r.label, n: Number(r.n) }));
  }
}
