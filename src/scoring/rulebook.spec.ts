import { DEFAULT_RULEBOOK, assertValidRulebook, defaultRulebook, preferenceParams, rewardParams, validateRulebook } from './rulebook';

describe('rulebook', () => {
  it('the default rulebook is valid and carries the published constants', () => {
    expect(validateRulebook(DEFAULT_RULEBOOK)).toEqual([]);
    expect(DEFAULT_RULEBOOK).toMatchObject({
      version: '2026.12-5',
      weightFormula: 2,
      knockoutMax: 14,
      groupSize: 32,
      groupAdvance: 8,
      bossTasks: 6,
      threshold: { floor: 0.03, base: 0.1, decay: 0.8 },
      weightDecay: 0.3,
      attempts: 2,
      // 4-7 day tournaments (DESIGN): 12 h per group or knockout task, 24 h per boss task.
      timeLimitsSeconds: { group: 43_200, knockout: 43_200, boss: 86_400 },
    });
  });

  it('the default catalogue draws on generated datasets only, and public ones need an explicit flag', () => {
    expect(DEFAULT_RULEBOOK.taskCatalog['causal-lm'].datasets).toEqual(['grammar-lm-v1']);
    expect(DEFAULT_RULEBOOK.allowPublicDatasets).toBe(false);
    expect(validateRulebook({ ...defaultRulebook(), allowPublicDatasets: 'yes' })).toEqual(['allowPublicDatasets must be true or false']);
    const sealedBefore: Record<string, unknown> = { ...defaultRulebook() };
    delete sealedBefore.allowPublicDatasets;
    expect(validateRulebook(sealedBefore)).toEqual([]);
  });

  it('the defaults are frozen; defaultRulebook() returns an independent copy', () => {
    expect(Object.isFrozen(DEFAULT_RULEBOOK.threshold)).toBe(true);
    const copy = defaultRulebook();
    copy.threshold.base = 0.5;
    expect(DEFAULT_RULEBOOK.threshold.base).toBe(0.1);
    expect(JSON.parse(JSON.stringify(DEFAULT_RULEBOOK))).toEqual(defaultRulebook());
  });

  it('lists every problem at once', () => {
    const bad = {
      ...defaultRulebook(),
      version: '',
      groupSize: 10,
      bossGate: 'coin-flip',
      pools: { text: 0.7, image: 0.2, video: 0.3 },
      bootstrap: { samples: 5, seed: '1234', confidence: 1.2 },
    };
    const problems = validateRulebook(bad);
    expect(problems).toEqual(
      expect.arrayContaining([
        'version must be a non-empty string',
        'groupSize must be >= 2 * groupAdvance + 1 (every group must be larger than groupAdvance)',
        'bossGate must be one of threshold, bootstrap, both',
        'pools must sum to at most 1 (got 1.2)',
        'tournamentTaskTypes.video must list at least one task type',
        'bootstrap.samples must be an integer in [100, 1000000]',
        'bootstrap.seed must be "0x" + 16 lower-case hex digits',
        'bootstrap.confidence must be in (0.5, 1)',
      ]),
    );
    expect(problems).toHaveLength(8);
    expect(() => assertValidRulebook(bad)).toThrow(/invalid rulebook: version must be/);
    expect(validateRulebook(null)).toEqual(['rulebook must be an object']);
  });

  it('rejects a task type missing from the catalog', () => {
    const rb = { ...defaultRulebook(), pools: { text: 1 }, tournamentTaskTypes: { text: ['speech'] } };
    expect(validateRulebook(rb)).toEqual([
      'tournamentTaskTypes.text: task type speech is not in taskCatalog',
      'tournamentTypes.text.taskTypeOdds: task type instruct is not in tournamentTaskTypes.text',
      'tournamentTypes.text.taskTypeOdds: task type preference is not in tournamentTaskTypes.text',
      'tournamentTypes.text.taskTypeOdds: task type reward is not in tournamentTaskTypes.text',
      'tournamentTypes.text.bossTaskTypes: task type instruct is not in tournamentTaskTypes.text',
      'tournamentTypes.text.bossTaskTypes: task type preference is not in tournamentTaskTypes.text',
      'tournamentTypes.text.bossTaskTypes: task type reward is not in tournamentTaskTypes.text',
    ]);
  });

  it('the default text tournament mixes instruct, preference and reward; causal-lm stays in the catalogue', () => {
    const rb = defaultRulebook();
    expect(rb.tournamentTaskTypes.text).toEqual(['instruct', 'preference', 'reward']);
    expect(rb.tournamentTypes?.text).toEqual({ taskTypeOdds: { instruct: 0.35, preference: 0.35, reward: 0.3 }, bossTaskTypes: ['instruct', 'preference', 'reward'], hardware: 'cpu-2', sandboxImage: 'cpu' });
    for (const t of ['instruct', 'preference', 'reward']) expect(rb.taskCatalog[t]).toEqual({ datasets: ['prompts-v2'], baseModels: ['base:byte-lm-v1'] });
    expect(rb.taskCatalog['causal-lm']).toEqual({ datasets: ['grammar-lm-v1'], baseModels: ['builtin:unigram'] });
    // A text tournament on causal-lm only (as chaos and Docker suites run it) is an override of two fields.
    const causal = { ...rb, tournamentTaskTypes: { ...rb.tournamentTaskTypes, text: ['causal-lm'] }, tournamentTypes: { ...rb.tournamentTypes, text: { ...rb.tournamentTypes!.text, taskTypeOdds: { 'causal-lm': 1 }, bossTaskTypes: ['causal-lm'] } } };
    expect(validateRulebook(causal)).toEqual([]);
  });

  it('carries the text task types\' constants under taskTypes and checks them by name', () => {
    const rb = defaultRulebook();
    expect(rb.taskTypes).toEqual({ preference: { beta: 0.1 }, reward: { maxNewTokens: 8, weights: { exact: 0.8, format: 0.2 } } });
    const bad = {
      ...rb,
      taskTypes: {
        preference: { beta: 0, Beta: 0.5 },
        reward: { maxNewTokens: 33, weights: { exact: 0.8, format: 0.3 } },
        // Task types without constants accept any (nothing reads them).
        image: { anything: 1 },
      },
    };
    expect(validateRulebook(bad)).toEqual([
      'taskTypes.preference.Beta is not a constant of preference (known: beta)',
      'taskTypes.preference.beta must be a number > 0 (the DPO temperature)',
      'taskTypes.reward.maxNewTokens must be an integer in [1, 32]',
      'taskTypes.reward.weights must be { exact, format }, each in [0, 1], summing to 1 (got {"exact":0.8,"format":0.3})',
    ]);
    expect(validateRulebook({ ...rb, taskTypes: { reward: { maxNewTokens: 2.5, weights: { exact: 1 } } } })).toEqual([
      'taskTypes.reward.maxNewTokens must be an integer in [1, 32]',
      'taskTypes.reward.weights must be { exact, format }, each in [0, 1], summing to 1 (got {"exact":1})',
    ]);
    expect(validateRulebook({ ...rb, taskTypes: { preference: 'beta=0.5' } })).toEqual(['taskTypes must map task types to objects of constants']);
  });

  it('a task recorded without constants (rulebooks 2026.12-3 and older) gets the values from before the rulebook carried them', () => {
    expect(preferenceParams({})).toEqual({ beta: 0.1 });
    expect(preferenceParams(undefined)).toEqual({ beta: 0.1 });
    expect(preferenceParams({ beta: 0.5 })).toEqual({ beta: 0.5 });
    expect(rewardParams({})).toEqual({ maxNewTokens: 8, weights: { exact: 0.8, format: 0.2 } });
    expect(rewardParams({ maxNewTokens: 4 })).toEqual({ maxNewTokens: 4, weights: { exact: 0.8, format: 0.2 } });
    expect(rewardParams({ weights: { exact: 1, format: 0 } })).toEqual({ maxNewTokens: 8, weights: { exact: 1, format: 0 } });
    expect(() => preferenceParams({ beta: -1 })).toThrow('invalid task params: taskTypes.preference.beta must be a number > 0');
  });

  it('runs text and image tournaments from their own pools, the rest burnt, each with its draw, boss mix, hardware and image', () => {
    const rb = defaultRulebook();
    expect(rb.pools).toEqual({ text: 0.6, image: 0.3 });
    expect(rb.tournamentTypes?.image).toEqual({ taskTypeOdds: { image: 1 }, bossTaskTypes: ['image'], hardware: 'cpu-2', sandboxImage: 'cpu' });
    expect(rb.taskCatalog.image.datasets).toEqual(['shapes-16-v1']);
    // Types without a pool are not checked (an override may drop a type's pool); types with one are.
    expect(validateRulebook({ ...rb, pools: { text: 1 } })).toEqual([]);
    const broken = {
      ...rb,
      tournamentTypes: { ...rb.tournamentTypes, image: { taskTypeOdds: { image: 0.5, 'causal-lm': 0.25 }, bossTaskTypes: [], hardware: '', sandboxImage: 'tpu' } },
    };
    expect(validateRulebook(broken)).toEqual([
      'tournamentTypes.image.taskTypeOdds: task type causal-lm is not in tournamentTaskTypes.image',
      'tournamentTypes.image.taskTypeOdds must sum to 1 (got 0.75)',
      'tournamentTypes.image.bossTaskTypes must list at least one task type',
      'tournamentTypes.image.hardware must be a non-empty string',
      'tournamentTypes.image.sandboxImage must be one of cpu, gpu',
    ]);
    // Rulebooks stored before the field existed stay valid.
    const sealedBefore: Record<string, unknown> = { ...rb };
    delete sealedBefore.tournamentTypes;
    delete sealedBefore.taskTypes;
    expect(validateRulebook(sealedBefore)).toEqual([]);
  });
});
