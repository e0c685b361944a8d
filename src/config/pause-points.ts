/**
 * Named step boundaries of a run and of a round, where the crash test (test/integration/chaos.spec.ts)
 * freezes the worker and kills it with SIGKILL. Armed only by CRUCIBLE_TEST_PAUSE_AT; unarmed, every
 * call is one string comparison.
 */
export const PAUSE_POINTS = [
  'claimed',
  'container-created',
  'training',
  'container-exited',
  'container-removed',
  'evaluating',
  'evaluated',
  'round-decided',
  'round-planned',
  'weights-made',
  'bundle-sealed',
] as const;
export type PausePointName = (typeof PAUSE_POINTS)[number];
