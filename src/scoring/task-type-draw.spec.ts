import { defaultRulebook } from './rulebook';
import { isGpuClass, roundTaskTypes, runPlacement } from './task-type-draw';

const mixed = {
  ...defaultRulebook(),
  tournamentTaskTypes: { text: ['instruct', 'preference', 'reward'] },
  tournamentTypes: {
    // Keys deliberately out of order: the draw sorts them.
    text: { taskTypeOdds: { reward: 0.3, instruct: 0.35, preference: 0.35 }, bossTaskTypes: ['instruct', 'preference', 'reward'], hardware: 'cpu-2', sandboxImage: 'cpu' as const },
  },
};

describe('roundTaskTypes', () => {
  it('draws group and knockout task types from the round seed (values from an independent Python transcription)', () => {
    // Python: SplitMix64(fnv1a64("t-1:round:0:task-types")), u = (next >> 11) / 2^53:
    // 0.1299 0.4622 0.7663 0.2749 0.0934 0.2578 0.6327 0.9828 against cumulative 0.35 / 0.70 / 1.0.
    const drawn = roundTaskTypes(mixed, { tournamentId: 't-1', tournamentType: 'text', kind: 'group', roundIndex: 0, tasks: 8 });
    expect(drawn).toEqual(['instruct', 'preference', 'reward', 'instruct', 'instruct', 'instruct', 'preference', 'reward']);
    // Same round, same draw; a knockout round of the same index draws the same sequence (the seed names the round, not its kind).
    expect(roundTaskTypes(mixed, { tournamentId: 't-1', tournamentType: 'text', kind: 'knockout', roundIndex: 0, tasks: 3 })).toEqual(drawn.slice(0, 3));
    const other = roundTaskTypes(mixed, { tournamentId: 't-1', tournamentType: 'text', kind: 'group', roundIndex: 1, tasks: 8 });
    expect(other).not.toEqual(drawn);
  });

  it('follows the odds over many draws, and never draws a type at odds 0', () => {
    const counts: Record<string, number> = {};
    for (const t of roundTaskTypes(mixed, { tournamentId: 't-2', tournamentType: 'text', kind: 'group', roundIndex: 0, tasks: 20_000 })) counts[t] = (counts[t] ?? 0) + 1;
    // Binomial standard deviation for p = 0.35, n = 20000: sqrt(20000 * 0.35 * 0.65) = 67; allow 5 of them.
    expect(Math.abs(counts.instruct - 7000)).toBeLessThan(340);
    expect(Math.abs(counts.preference - 7000)).toBeLessThan(340);
    expect(Math.abs(counts.reward - 6000)).toBeLessThan(340);
    const onlyReward = { ...mixed, tournamentTypes: { text: { ...mixed.tournamentTypes.text, taskTypeOdds: { instruct: 0, preference: 0, reward: 1 } } } };
    expect(new Set(roundTaskTypes(onlyReward, { tournamentId: 't-2', tournamentType: 'text', kind: 'group', roundIndex: 0, tasks: 500 }))).toEqual(new Set(['reward']));
  });

  it('mixes the boss round as listed, cycling: 6 tasks are 2 instruct, 2 preference, 2 reward', () => {
    expect(roundTaskTypes(mixed, { tournamentId: 't-1', tournamentType: 'text', kind: 'boss', roundIndex: 3, tasks: 6 })).toEqual(['instruct', 'preference', 'reward', 'instruct', 'preference', 'reward']);
    expect(roundTaskTypes(mixed, { tournamentId: 't-1', tournamentType: 'text', kind: 'boss', roundIndex: 3, tasks: 2 })).toEqual(['instruct', 'preference']);
  });

  it('the default text tournament: group tasks drawn from the three text types, a 6-task boss round of 2 each', () => {
    const rb = defaultRulebook();
    // Same odds as `mixed` (0.35 / 0.35 / 0.3), so the same draw for the same round seed.
    expect(roundTaskTypes(rb, { tournamentId: 't-1', tournamentType: 'text', kind: 'group', roundIndex: 0, tasks: 8 })).toEqual(['instruct', 'preference', 'reward', 'instruct', 'instruct', 'instruct', 'preference', 'reward']);
    const boss = roundTaskTypes(rb, { tournamentId: 't-1', tournamentType: 'text', kind: 'boss', roundIndex: 2, tasks: rb.bossTasks });
    expect(boss).toEqual(['instruct', 'preference', 'reward', 'instruct', 'preference', 'reward']);
  });

  it('rulebooks without tournament type rules cycle through the listed task types, as before', () => {
    const old = { ...defaultRulebook(), tournamentTypes: undefined, tournamentTaskTypes: { text: ['causal-lm', 'classification'] } };
    expect(roundTaskTypes(old, { tournamentId: 't', tournamentType: 'text', kind: 'group', roundIndex: 0, tasks: 3 })).toEqual(['causal-lm', 'classification', 'causal-lm']);
    expect(() => roundTaskTypes(old, { tournamentId: 't', tournamentType: 'image', kind: 'group', roundIndex: 0, tasks: 1 })).toThrow(/no task types/);
  });
});

describe('runPlacement', () => {
  it('takes each type its own hardware class and image; older rulebooks use the shared hardware', () => {
    const rb = defaultRulebook();
    const gpuImage = { ...rb, tournamentTypes: { ...rb.tournamentTypes, image: { ...rb.tournamentTypes!.image, hardware: 'gpu-h100', sandboxImage: 'gpu' as const } } };
    expect(runPlacement(gpuImage, 'image')).toEqual({ hardware: 'gpu-h100', sandboxImage: 'gpu' });
    expect(runPlacement(gpuImage, 'text')).toEqual({ hardware: 'cpu-2', sandboxImage: 'cpu' });
    expect(runPlacement({ hardware: 'gpu', tournamentTypes: undefined }, 'text')).toEqual({ hardware: 'gpu', sandboxImage: 'gpu' });
    expect([isGpuClass('gpu'), isGpuClass('gpu-a100'), isGpuClass('cpu-2'), isGpuClass('gpuish')]).toEqual([true, true, false, false]);
  });
});
