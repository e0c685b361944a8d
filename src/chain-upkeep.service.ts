import { Injectable, Logger } from '@nestjs/common';
import { AuditBundleService } from './audit/audit-bundle.service';
import { MetagraphSyncService } from './chain/metagraph-sync.service';
import { WeightSetterService } from './chain/weight-setter.service';
import { Clock } from './common/clock';
import { DutyGuard } from './common/duty-guard';
import { AppConfig } from './config/app-config';
import { ChainEntriesService } from './submissions/chain-entries.service';
import { Upkeep } from './tournaments/upkeep';
import { WeightsPreviewService } from './tournaments/weights-preview.service';

/**
 * The worker's slow, periodic duties besides tournaments: keep the metagraph cache fresh, set the
 * current weights again every epoch (a validator that stops goes inactive; the setter claims one
 * row per epoch, so this sends at most once per epoch), reveal committed weights when their window
 * opens, turn miners' chain commitments into entries while a registration is open (after the
 * metagraph sync, so their hotkeys are known), seal completed tournaments, settled weight sets and
 * finished days into signed audit bundles.
 * Each is idempotent across workers, and each is its own guarded step: one that throws is logged
 * and counted (DutyGuard) and the others still run. It spans chain, submissions, tournaments and audit,
 * so it sits with the composition files; the scheduler sees it as the Upkeep port.
 */
@Injectable()
export class ChainUpkeepService extends Upkeep {
  private readonly logger = new Logger(ChainUpkeepService.name);
  private readonly duties = new DutyGuard(this.logger);
  private lastMetagraphSync = 0;

  constructor(
    private readonly metagraph: MetagraphSyncService,
    private readonly weights: WeightSetterService,
    private readonly audit: AuditBundleService,
    private readonly preview: WeightsPreviewService,
    private readonly chainEntries: ChainEntriesService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    super();
  }

  async run(): Promise<void> {
    const now = this.clock.now().getTime();
    if (this.config.chain.endpoint) {
      // Weights pay the uids of this cache: a failed sync (e.g. the chain not yet connected) is retried next tick.
      if (now - this.lastMetagraphSync >= 60_000 && (await this.duties.run('metagraph sync', {}, () => this.metagraph.sync(this.config.chain.netuid)))) {
        this.lastMetagraphSync = now;
      }
      await this.duties.run('chain entries', {}, () => this.chainEntries.enterOpenTournaments());
      await this.duties.run('weight reveal', {}, () => this.weights.revealDue());
      await this.duties.run('epoch weights', {}, async () => {
        // Nothing decided yet: no opinion to state (an all-burn vector would hold the epoch).
        const { tournaments, vector, basis } = await this.preview.preview();
        if (tournaments.length > 0 && vector.uids.length > 0) await this.weights.setWeightsForEpoch(new Map(vector.uids.map((u, i) => [u, vector.weights[i]])), { basis });
      });
    }
    await this.duties.run('audit sealing', {}, () => this.audit.sealDue());
  }
}
