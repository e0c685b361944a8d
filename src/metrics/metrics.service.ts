import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { processMetrics } from '../common/metrics';
import { MetricsReadRepository } from './metrics-read.repository';

/**
 * Prometheus text for GET /metrics: this process's instruments, plus gauges read from the database
 * at scrape time (collect callbacks): runs by state and outcome, the queue per hardware class,
 * weight sets (chain submissions) by result, audit bundles sealed.
 */
@Injectable()
export class MetricsService {
  private readonly fromDatabase = new Registry();

  constructor(read: MetricsReadRepository) {
    new Gauge({
      name: 'crucible_runs',
      help: 'Training runs by state and outcome (outcome "none" until finished)',
      labelNames: ['state', 'outcome'],
      registers: [this.fromDatabase],
      async collect() {
        this.reset();
        for (const r of await read.runsByStateAndOutcome()) this.set({ state: r.state, outcome: r.outcome ?? 'none' }, r.n);
      },
    });
    new Gauge({
      name: 'crucible_queue_depth',
      help: 'Queued runs waiting for a sandbox, per hardware class',
      labelNames: ['hardware'],
      registers: [this.fromDatabase],
      async collect() {
        this.reset();
        for (const r of await read.queuedByHardware()) this.set({ hardware: r.label }, r.n);
      },
    });
    new Gauge({
      name: 'crucible_weight_sets',
      help: 'Weight sets (chain submissions) by result: pending, committed, set, failed, dry_run',
      labelNames: ['status'],
      registers: [this.fromDatabase],
      async collect() {
        this.reset();
        for (const r of await read.weightSetsByStatus()) this.set({ status: r.label }, r.n);
      },
    });
    new Gauge({
      name: 'crucible_audit_bundles',
      help: 'Audit bundles sealed, by kind',
      labelNames: ['kind'],
      registers: [this.fromDatabase],
      async collect() {
        this.reset();
        for (const r of await read.bundlesByKind()) this.set({ kind: r.label }, r.n);
      },
    });
    new Gauge({
      name: 'crucible_audit_last_sealed_timestamp_seconds',
      help: 'When the last audit bundle was sealed (unix seconds; absent before the first)',
      registers: [this.fromDatabase],
      async collect() {
        this.reset();
        const at = await read.lastSealedAt();
        if (at) this.set(at.getTime() / 1000);
      },
    });
  }

  get contentType(): string {
    return processMetrics.contentType;
  }

  async text(): Promise<string> {
    const [mine, db] = await Promise.all([processMetrics.metrics(), this.fromDatabase.metrics()]);
    return `${mine}\n${db}`;
  }
}
