import type { EnvReader } from '../env-reader';
import { PAUSE_POINTS, type PausePointName } from '../pause-points';

/** The worker role's identity and tick. */
export interface WorkerConfig {
  /** Identity on run claims; stable across restarts so a worker re-adopts its runs at once. */
  workerId: string;
  schedulerTickMs: number;
  /** Test hook: the step boundary where the worker freezes for the crash test; null in production. */
  testPauseAt: PausePointName | null;
}

export function readWorkerConfig(r: EnvReader, pid: number): WorkerConfig {
  return {
    workerId: r.str('CRUCIBLE_WORKER_ID', `worker-${pid}`),
    schedulerTickMs: r.int('CRUCIBLE_TICK_MS', 2000, 50, 3600_000),
    testPauseAt: r.str('CRUCIBLE_TEST_PAUSE_AT') === undefined ? null : r.oneOf('CRUCIBLE_TEST_PAUSE_AT', PAUSE_POINTS, 'claimed'),
  };
}
