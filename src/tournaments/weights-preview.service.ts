import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { assertValidRulebook } from '../scoring/rulebook';
import { WeightBasis, weightsFromDerivations } from '../scoring/tournament-evidence';
import { convertWeightsAndUidsForEmit, EmitVectors } from '../scoring/u16';
import { WeightVector } from '../scoring/weights';
import { HotkeyRegistry } from '../chain/hotkey-registry';
import { TournamentEvidenceService } from './tournament-evidence.service';
import { TournamentRepository } from './tournament.repository';

export interface WeightsPreview {
  /** The decided tournament each type's pool is paid from. */
  tournaments: Array<{ id: string; type: string; cycle: number; rulebookVersion: string }>;
  /** What the vector is made from (tournaments, burn uid, metagraph snapshot): stored with the weight set. */
  basis: WeightBasis;
  vector: WeightVector;
  emit: EmitVectors | null;
}

/**
 * The weight vector the validator would set now: each type's latest decided tournament, derived from
 * its evidence (scoring/tournament-evidence.ts, the function the auditor runs), paid to the uids of
 * the metagraph snapshot taken now.
 */
@Injectable()
export class WeightsPreviewService {
  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly evidence: TournamentEvidenceService,
    private readonly registry: HotkeyRegistry,
    private readonly config: AppConfig,
  ) {}

  async preview(): Promise<WeightsPreview> {
    const decided = [];
    for (const type of this.config.tournaments.types) {
      const t = await this.tournaments.latestDecidedOfType(type);
      if (t) decided.push({ entity: t, rulebook: assertValidRulebook(t.rulebook), derivation: await this.evidence.derive(t) });
    }
    const basis: WeightBasis = { tournamentIds: decided.map((d) => d.entity.id), burnUid: this.config.chain.ownerUid, metagraph: await this.registry.snapshot() };
    const vector = weightsFromDerivations({ tournaments: decided, metagraph: basis.metagraph, burnUid: basis.burnUid });
    return {
      tournaments: decided.map(({ entity: t }) => ({ id: t.id, type: t.type, cycle: t.cycle, rulebookVersion: t.rulebookVersion })),
      basis,
      vector,
      emit: vector.uids.length ? convertWeightsAndUidsForEmit(vector.uids, vector.weights) : null,
    };
  }
}
