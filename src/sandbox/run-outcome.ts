/**
 * Every training run ends in exactly one of these (DESIGN.md, "Failure accounting"). The sandbox
 * classifies a finished command into one; runs records it and decides what it costs the miner.
 */
export const RUN_OUTCOMES = [
  'succeeded',
  'miner_failed',
  'timed_out',
  'oom_killed',
  'output_invalid',
  'infra_failed',
] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];
