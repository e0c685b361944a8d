/**
 * Which task type each task of a round gets, and where a tournament type's runs train (pure).
 *
 * With the rulebook's `tournamentTypes[type]`:
 *   - boss round: `bossTaskTypes` in order (task i gets entry i mod length);
 *   - group and knockout rounds: per slot in order, u = SplitMix64(fnv1a64(roundSeed)).nextDouble(), where
 *     roundSeed = `<tournament id>:round:<round index>:task-types`; the task types of `taskTypeOdds` in
 *     code-unit order (so the order stored keys come back in does not matter) with their cumulative
 *     probabilities; the first whose cumulative probability exceeds u (the last type with odds > 0
 *     when rounding leaves u past the total).
 * Without it (rulebooks stored before it existed): slot i gets tournamentTaskTypes[type][i mod n].
 *
 * Pure: no Nest, TypeORM or IO imports.
 */
import { fnv1a64, SplitMix64 } from './prng';
import type { RoundKind, Rulebook, TournamentTypeRules } from './rulebook';

export interface RoundToDraw {
  tournamentId: string;
  tournamentType: string;
  kind: RoundKind;
  roundIndex: number;
  /** Tasks in the round (groups, pairs or boss tasks). */
  tasks: number;
}

export function roundTaskTypes(rules: Pick<Rulebook, 'tournamentTaskTypes' | 'tournamentTypes'>, round: RoundToDraw): string[] {
  const typeRules = rules.tournamentTypes?.[round.tournamentType];
  if (!typeRules) {
    const list = rules.tournamentTaskTypes[round.tournamentType] ?? [];
    if (list.length === 0) throw new Error(`rulebook has no task types for tournament type ${round.tournamentType}`);
    return Array.from({ length: round.tasks }, (_, i) => list[i % list.length]);
  }
  if (round.kind === 'boss') {
    const list = typeRules.bossTaskTypes;
    return Array.from({ length: round.tasks }, (_, i) => list[i % list.length]);
  }
  const choices = Object.keys(typeRules.taskTypeOdds)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .filter((taskType) => typeRules.taskTypeOdds[taskType] > 0);
  if (choices.length === 0) throw new Error(`tournament type ${round.tournamentType} gives no task type odds above 0`);
  const rng = new SplitMix64(fnv1a64(`${round.tournamentId}:round:${round.roundIndex}:task-types`));
  return Array.from({ length: round.tasks }, () => {
    const u = rng.nextDouble();
    let cumulative = 0;
    for (const taskType of choices) {
      cumulative += typeRules.taskTypeOdds[taskType];
      if (u < cumulative) return taskType;
    }
    return choices[choices.length - 1];
  });
}

/** Where a tournament type's runs train: its own hardware class and sandbox image, or the rulebook-wide ones. */
export function runPlacement(rules: Pick<Rulebook, 'hardware' | 'tournamentTypes'>, tournamentType: string): Pick<TournamentTypeRules, 'hardware' | 'sandboxImage'> {
  const typeRules = rules.tournamentTypes?.[tournamentType];
  if (typeRules) return { hardware: typeRules.hardware, sandboxImage: typeRules.sandboxImage };
  return { hardware: rules.hardware, sandboxImage: isGpuClass(rules.hardware) ? 'gpu' : 'cpu' };
}

/** A hardware class that starts with "gpu" ("gpu", "gpu-h100") gets GPUs. */
export function isGpuClass(hardware: string): boolean {
  return hardware === 'gpu' || hardware.startsWith('gpu-');
}
