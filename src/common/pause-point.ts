import * as fs from 'node:fs';

import type { PausePointName } from '../config/pause-points';

let armed: PausePointName | null = null;
let pending = false;

/** Called once at boot with the configured point (null: never pause). */
export function armPausePoint(point: PausePointName | null): void {
  armed = point;
  pending = false;
}

/**
 * At the armed point: print `CRUCIBLE_PAUSED <point>` and freeze the whole process (no timer, no
 * I/O callback runs again), as if the machine stopped right there. The test then kills it.
 */
export function pausePoint(point: PausePointName): void {
  if (armed !== point) return;
  fs.writeSync(1, `CRUCIBLE_PAUSED ${point}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

/** Inside a transaction: pause at this point once the transaction has committed (pauseIfCommitted). */
export function pauseAfterCommit(point: PausePointName): void {
  if (armed === point) pending = true;
}

/** After a commit: the pause requested inside it, if any. After a rollback call forgetPendingPause. */
export function pauseIfCommitted(): void {
  if (!pending || !armed) return;
  pending = false;
  pausePoint(armed);
}

export function forgetPendingPause(): void {
  pending = false;
}
