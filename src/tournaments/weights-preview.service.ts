import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RunRepository } from '../runs/run.repository';
import { computeWeights, WeightVector } from '../scoring/weights';
import { convertWeightsAndUidsForEmit, EmitVectors } from '../scoring/u16';
import { EntrantRepository } from '../submissions/entrant.repository';
import { TournamentEntity } from './tournament.entity';
import { TournamentRepository } from './tournament.repository';
import type { TournamentRulebook } from './tournament-rulebook';

export const BASELINE_HOTKEY = 'baseline';

export interface WeightsPreview {
  /** The decided tournament each type's pool is paid from. */
  tournaments: Array<{ id: string; type: string; cycle: number; rulebookVersion: string }>;
  vector: WeightVector;
  emit: EmitVectors | null;
}

/** The weight vector the validator would set now, from each type's latest decided tournament. */
@Injectable()
export class WeightsPreviewService {
  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly entrants: EntrantRepository,
    private readonly runs: RunRepository,
    private readonly config: AppConfig,
  ) {}

  async preview(): Promise<WeightsPreview> {
    const decided: TournamentEntity[] = [];
    for (const type of this.config.tournaments.types) {
      const t = await this.tournaments.latestDecidedOfType(type);
      if (t) decided.push(t);
    }
    const inputs = [];
    const hotkeyToUid = new Map<string, number>();
    for (const t of decided) {
      const entrants = await this.entrants.accepted(t.id);
      const byId = new Map(entrants.map((e) => [e.id, e]));
      const valid = await this.runs.entrantsWithValidRun(t.id);
      for (const e of entrants) if (e.uid !== null && e.hotkey !== BASELINE_HOTKEY) hotkeyToUid.set(e.hotkey, e.uid);
      inputs.push({
        tournamentType: t.type,
        standings: (t.ranking ?? []).flatMap((id) => {
          const e = byId.get(id);
          if (!e) return [];
          return [{ hotkey: e.hotkey === BASELINE_HOTKEY ? null : e.hotkey, completedValidRun: valid.has(id) }];
        }),
      });
    }
    const rules = (decided[0]?.rulebook as unknown as TournamentRulebook | undefined) ?? undefined;
    const vector = computeWeights({
      rules: rules ?? { weightDecay: 0.3, pools: {}, participationFloor: 0 },
      tournaments: inputs,
      hotkeyToUid,
      burnUid: this.config.chain.ownerUid,
    });
    return {
      tournaments: decided.map((t) => ({ id: t.id, type: t.type, cycle: t.cycle, rulebookVersion: t.rulebookVersion })),
      vector,
      emit: vector.uids.length ? convertWeightsAndUidsForEmit(vector.uids, vector.weights) : null,
    };
  }
}
