import { loadConfig, scheduleVar } from './app-config';

describe('tournament scheduling config', () => {
  it('crucible serve schedules cycles by itself unless told not to', () => {
    expect(loadConfig({}).tournaments.autoSchedule).toBe(true);
    expect(loadConfig({ CRUCIBLE_AUTO_SCHEDULE: 'false' }).tournaments.autoSchedule).toBe(false);
  });

  it('per-type cadences and rulebook overrides, validated at boot', () => {
    expect(scheduleVar('text-long')).toBe('CRUCIBLE_SCHEDULE_TEXT_LONG');
    const config = loadConfig({
      CRUCIBLE_TOURNAMENT_TYPES: 'text,text-long',
      // text keeps its default mix; text-long (no tournamentTypes entry) cycles through its list.
      CRUCIBLE_RULEBOOK_OVERRIDES: JSON.stringify({ pools: { text: 0.6, 'text-long': 0.4 }, tournamentTaskTypes: { text: ['instruct', 'preference', 'reward'], 'text-long': ['causal-lm'] } }),
      CRUCIBLE_SCHEDULE_TEXT_LONG: 'registrationMinutes=2880,gapHours=120',
    });
    expect(config.tournaments.schedules).toEqual({ text: {}, 'text-long': { registrationMinutes: 2880, gapHours: 120 } });
    expect(config.tournaments.rulebookOverrides.pools).toEqual({ text: 0.6, 'text-long': 0.4 });
    expect(() => loadConfig({ CRUCIBLE_SCHEDULE_TEXT: 'gap=3' })).toThrow(/CRUCIBLE_SCHEDULE_TEXT takes registrationMinutes/);
    expect(() => loadConfig({ CRUCIBLE_SCHEDULE_TEXT: 'roundDeadlineMinutes=0' })).toThrow(/roundDeadlineMinutes must be > 0/);
    expect(() => loadConfig({ CRUCIBLE_RULEBOOK_OVERRIDES: '[1]' })).toThrow(/CRUCIBLE_RULEBOOK_OVERRIDES must be a JSON object/);
    // Overriding a type's task types without its draw leaves the draw naming types it no longer lists.
    expect(() => loadConfig({ CRUCIBLE_RULEBOOK_OVERRIDES: JSON.stringify({ tournamentTaskTypes: { text: ['causal-lm'], image: ['image'] } }) })).toThrow(
      /tournamentTypes.text.taskTypeOdds: task type instruct is not in tournamentTaskTypes.text/,
    );
    // A second type needs a weight pool in the rulebook (else its cycles could never be created).
    expect(() => loadConfig({ CRUCIBLE_TOURNAMENT_TYPES: 'text,video' })).toThrow(/tournament type video .*no weight pool for video/);
    // The defaults run text and image tournaments, each with its pool.
    expect(loadConfig({}).tournaments.types).toEqual(['text', 'image']);
  });
});
