import type { RunOutcome } from '../sandbox/run-outcome';

export { RUN_OUTCOMES, type RunOutcome } from '../sandbox/run-outcome';

/**
 * Training run lifecycle (pure). Every run ends in exactly one typed outcome (DESIGN.md,
 * "Failure accounting"); infra failures are retried as a new attempt that costs the miner nothing.
 */
export const RUN_STATES = ['queued', 'starting', 'running', 'evaluating', 'finished'] as const;
export type RunState = (typeof RUN_STATES)[number];


const NEXT: Record<RunState, readonly RunState[]> = {
  queued: ['starting', 'finished'],
  starting: ['running', 'finished'],
  running: ['evaluating', 'finished'],
  evaluating: ['finished'],
  finished: [],
};

export function canTransitionRun(from: RunState, to: RunState): boolean {
  return NEXT[from].includes(to);
}

export function allowedRunTransitions(from: RunState): readonly RunState[] {
  return NEXT[from];
}

export function assertRunTransition(from: RunState, to: RunState): void {
  if (!canTransitionRun(from, to)) throw new Error(`illegal run transition ${from} -> ${to}`);
}

/** Outcomes the miner is charged for; infra failures are the validator's problem. */
export function chargesMinerAttempt(outcome: RunOutcome): boolean {
  return outcome !== 'infra_failed' && outcome !== 'succeeded';
}

export function isRetryable(outcome: RunOutcome): boolean {
  return outcome === 'infra_failed';
}
