import { describeVariables, readSection } from '../../../test/support/config-cases';
import { readTournamentsConfig, scheduleVar, type TournamentsConfig } from './tournaments.config';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const SCHEDULE_PROBLEM = 'CRUCIBLE_SCHEDULE_TEXT takes registrationMinutes, maxDurationHours, gapHours, roundDeadlineMinutes as key=number pairs';

describe('tournaments config', () => {
  it('names a type schedule variable by the type, upper-cased, other characters as _', () => {
    expect(scheduleVar('text')).toBe('CRUCIBLE_SCHEDULE_TEXT');
    expect(scheduleVar('text-long')).toBe('CRUCIBLE_SCHEDULE_TEXT_LONG');
    expect(scheduleVar('img.v2')).toBe('CRUCIBLE_SCHEDULE_IMG_V2');
  });

  describeVariables<TournamentsConfig>(readTournamentsConfig, [
    {
      name: 'CRUCIBLE_TOURNAMENT_TYPES',
      get: (c) => [c.types, c.schedules],
      unset: [['text', 'image'], { text: {}, image: {} }],
      valid: [[' text ', [['text'], { text: {} }]], ['image,text', [['image', 'text'], { image: {}, text: {} }]]],
      // A type the rulebook has no weight pool for could never run a cycle.
      invalid: [
        [
          'text,video',
          expect.stringMatching(
            /^the rulebook of tournament type video \(defaults, CRUCIBLE_RULEBOOK_OVERRIDES, CRUCIBLE_SCHEDULE_VIDEO\): (.*; )?no weight pool for video \(set CRUCIBLE_RULEBOOK_OVERRIDES' pools\)$/,
          ),
        ],
      ],
    },
    {
      name: 'CRUCIBLE_AUTO_SCHEDULE',
      get: (c) => c.autoSchedule,
      unset: true,
      valid: [['false', false]],
      invalid: [['weekly', 'CRUCIBLE_AUTO_SCHEDULE must be true or false (got "weekly")']],
    },
    {
      name: 'CRUCIBLE_RULEBOOK_OVERRIDES',
      get: (c) => c.rulebookOverrides,
      unset: {},
      valid: [['{"pools":{"text":0.5,"image":0.4}}', { pools: { text: 0.5, image: 0.4 } }]],
      invalid: [
        ['[1]', 'CRUCIBLE_RULEBOOK_OVERRIDES must be a JSON object of rulebook constants'],
        ['{pools: 1}', 'CRUCIBLE_RULEBOOK_OVERRIDES must be a JSON object of rulebook constants'],
        ['null', 'CRUCIBLE_RULEBOOK_OVERRIDES must be a JSON object of rulebook constants'],
        // Overrides are checked by validating each type's rulebook: here image loses its pool.
        [
          '{"pools":{"text":0.6}}',
          expect.stringMatching(/^the rulebook of tournament type image \(defaults, CRUCIBLE_RULEBOOK_OVERRIDES, CRUCIBLE_SCHEDULE_IMAGE\): (.*; )?no weight pool for image/),
        ],
      ],
    },
    {
      name: 'CRUCIBLE_SCHEDULE_TEXT',
      get: (c) => c.schedules,
      unset: { text: {}, image: {} },
      valid: [
        ['registrationMinutes=2880, gapHours=120', { text: { registrationMinutes: 2880, gapHours: 120 }, image: {} }],
        ['maxDurationHours=72,roundDeadlineMinutes=90.5', { text: { maxDurationHours: 72, roundDeadlineMinutes: 90.5 }, image: {} }],
      ],
      invalid: [
        ['gap=3', SCHEDULE_PROBLEM],
        ['gapHours=-1', SCHEDULE_PROBLEM],
        ['gapHours=soon', SCHEDULE_PROBLEM],
        ['gapHours', 'CRUCIBLE_SCHEDULE_TEXT must look like key=value,key2=value2'],
        // Read, then refused by the rulebook's own validation.
        ['roundDeadlineMinutes=0', expect.stringMatching(/^the rulebook of tournament type text \(defaults, CRUCIBLE_RULEBOOK_OVERRIDES, CRUCIBLE_SCHEDULE_TEXT\): .*roundDeadlineMinutes must be > 0/)],
      ],
    },
    {
      name: 'CRUCIBLE_RUN_CONCURRENCY',
      get: (c) => c.concurrency,
      unset: {},
      valid: [['cpu-2=2, gpu-h100=8', { 'cpu-2': 2, 'gpu-h100': 8 }]],
      invalid: [
        ['cpu-2=0', 'CRUCIBLE_RUN_CONCURRENCY for cpu-2 must be an integer >= 1'],
        ['cpu-2=1.5', 'CRUCIBLE_RUN_CONCURRENCY for cpu-2 must be an integer >= 1'],
        ['cpu-2', 'CRUCIBLE_RUN_CONCURRENCY must look like key=value,key2=value2'],
      ],
    },
    {
      name: 'CRUCIBLE_MAX_INFRA_RETRIES',
      get: (c) => c.maxInfraRetries,
      unset: 3,
      valid: [['0', 0], ['100', 100]],
      invalid: [['101', 'CRUCIBLE_MAX_INFRA_RETRIES must be an integer between 0 and 100 (got "101")']],
    },
    {
      name: 'CRUCIBLE_MAX_INFRA_RETRIES_TOTAL',
      get: (c) => c.maxInfraRetriesTotal,
      unset: 8,
      valid: [['0', 0], ['1000', 1000]],
      invalid: [['1001', 'CRUCIBLE_MAX_INFRA_RETRIES_TOTAL must be an integer between 0 and 1000 (got "1001")']],
    },
    {
      name: 'CRUCIBLE_INFRA_BACKOFF_SECONDS',
      get: (c) => c.infraBackoffSeconds,
      unset: 300,
      valid: [['0', 0], ['86400', 86400]],
      invalid: [['86401', 'CRUCIBLE_INFRA_BACKOFF_SECONDS must be an integer between 0 and 86400 (got "86401")']],
    },
    {
      name: 'CRUCIBLE_ROUND_DEADLINE_MINUTES',
      get: (c) => c.roundDeadlineMinutes,
      unset: 1440,
      // 90 days = 129600 minutes
      valid: [['1', 1], ['129600', 129600]],
      invalid: [['129601', 'CRUCIBLE_ROUND_DEADLINE_MINUTES must be an integer between 1 and 129600 (got "129601")']],
    },
    {
      name: 'CRUCIBLE_RUN_LEASE_SECONDS',
      get: (c) => c.leaseSeconds,
      unset: 60,
      valid: [['2', 2], ['3600', 3600]],
      invalid: [['1', 'CRUCIBLE_RUN_LEASE_SECONDS must be an integer between 2 and 3600 (got "1")']],
    },
  ]);

  it('a type of its own gets its schedule from its own variable', () => {
    const { config, problems } = readSection(readTournamentsConfig, {
      CRUCIBLE_TOURNAMENT_TYPES: 'text,text-long',
      CRUCIBLE_RULEBOOK_OVERRIDES: JSON.stringify({ pools: { text: 0.6, 'text-long': 0.3 }, tournamentTaskTypes: { text: ['causal-lm'], 'text-long': ['causal-lm'] } }),
      CRUCIBLE_SCHEDULE_TEXT_LONG: 'registrationMinutes=2880,gapHours=120',
    });
    expect(config.schedules).toEqual({ text: {}, 'text-long': { registrationMinutes: 2880, gapHours: 120 } });
    // Whatever the current rulebook says about these task types, the schedule problem would name the variable.
    expect(problems.filter((p) => p.includes('takes registrationMinutes'))).toEqual([]);
  });

  describe('CRUCIBLE_BASELINE_REPO_URL and CRUCIBLE_BASELINE_COMMIT', () => {
    const read = (env: Record<string, string>) => readSection(readTournamentsConfig, env);

    it('no baseline unless the repository is set (a commit alone is ignored)', () => {
      expect(read({}).config.baseline).toBeUndefined();
      expect(read({ CRUCIBLE_BASELINE_COMMIT: COMMIT })).toEqual({ config: expect.objectContaining({ baseline: undefined }), problems: [] });
    });

    it('a repository with its full commit', () => {
      expect(read({ CRUCIBLE_BASELINE_REPO_URL: 'https://github.com/org/champion', CRUCIBLE_BASELINE_COMMIT: COMMIT })).toEqual({
        config: expect.objectContaining({ baseline: { repoUrl: 'https://github.com/org/champion', commitSha: COMMIT } }),
        problems: [],
      });
    });

    it.each([[undefined], ['0123456'], [COMMIT.toUpperCase()], [`${COMMIT}0`]])('refuses the commit %j', (commit) => {
      const env: Record<string, string> = { CRUCIBLE_BASELINE_REPO_URL: 'https://github.com/org/champion' };
      if (commit !== undefined) env.CRUCIBLE_BASELINE_COMMIT = commit;
      expect(read(env).problems).toEqual(['CRUCIBLE_BASELINE_COMMIT must be a full 40-hex commit when CRUCIBLE_BASELINE_REPO_URL is set']);
    });
  });
});
