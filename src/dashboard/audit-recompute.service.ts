import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DashboardReadRepository } from './dashboard-read.repository';
import type { AuditRecomputeView } from './dashboard.types';

/** The window `crucible audit` checks by default. */
export const RECOMPUTE_DAYS = 7;

/**
 * The service checks its own sealed bundles with the auditor's code (audit/recompute.ts): envelopes,
 * hash chain, signatures and every re-derivable decision. The result is kept until a new bundle is
 * sealed, so a page view recomputes at most once per bundle.
 */
@Injectable()
export class AuditRecomputeService {
  private last: { latestSequence: number; view: Promise<AuditRecomputeView> } | null = null;

  constructor(
    private readonly reads: DashboardReadRepository,
    private readonly clock: Clock,
  ) {}

  async lastRecompute(): Promise<AuditRecomputeView> {
    const latest = await this.reads.latestBundleSequence();
    if (latest === null) return { at: null, days: RECOMPUTE_DAYS, fromSequence: null, toSequence: null, ok: null, checks: [] };
    if (this.last?.latestSequence === latest) return this.last.view;
    const entry = { latestSequence: latest, view: this.recompute() };
    this.last = entry;
    // A failed recompute is not kept: the next page view tries again.
    entry.view.catch(() => {
      if (this.last === entry) this.last = null;
    });
    return entry.view;
  }

  private async recompute(): Promise<AuditRecomputeView> {
    const now = this.clock.now();
    const envelopes = await this.reads.bundlesSince(new Date(now.getTime() - RECOMPUTE_DAYS * 86_400_000));
    if (envelopes.length === 0) return { at: now.toISOString(), days: RECOMPUTE_DAYS, fromSequence: null, toSequence: null, ok: null, checks: [] };
    // Loaded on first use: the API role does not need the auditor's code to start.
    const { recomputeBundles } = await import('../audit/recompute');
    const report = recomputeBundles(envelopes);
    return {
      at: now.toISOString(),
      days: RECOMPUTE_DAYS,
      fromSequence: envelopes[0].sequence,
      toSequence: envelopes[envelopes.length - 1].sequence,
      ok: report.ok,
      checks: report.checks.map((c) => ({ ...c })),
    };
  }
}
