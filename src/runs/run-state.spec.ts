import { RUN_OUTCOMES, RUN_STATES, RunState, assertRunTransition, canTransitionRun, chargesMinerAttempt, isRetryable } from './run-state';

const EXPECTED = new Set([
  'queued->starting',
  'queued->finished',
  'starting->running',
  'starting->finished',
  'running->evaluating',
  'running->finished',
  'evaluating->finished',
]);

describe('run state machine', () => {
  it.each(RUN_STATES.flatMap((from) => RUN_STATES.map((to) => [from, to] as [RunState, RunState])))(
    '%s -> %s',
    (from, to) => {
      const ok = EXPECTED.has(`${from}->${to}`);
      expect(canTransitionRun(from, to)).toBe(ok);
      if (!ok) expect(() => assertRunTransition(from, to)).toThrow();
    },
  );

  it('charges the miner for miner-caused outcomes only', () => {
    const charged = RUN_OUTCOMES.filter(chargesMinerAttempt);
    expect(charged).toEqual(['miner_failed', 'timed_out', 'oom_killed', 'output_invalid']);
    expect(RUN_OUTCOMES.filter(isRetryable)).toEqual(['infra_failed']);
  });
});
