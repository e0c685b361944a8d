import { PGliteDriver } from 'typeorm-pglite';
import type { PGlitePool } from 'typeorm-pglite/dist/pglite-pool';
import type { PGliteOptions } from '@electric-sql/pglite';

/**
 * PGlite is one session. typeorm-pglite hands that session to every caller at once, so two
 * concurrent transactions would interleave on it (and one's ROLLBACK would undo the other's
 * writes). This pool behaves like a PostgreSQL pool of size one: `connect` waits until the
 * previous holder released the session, first come first served.
 *
 * The session passes to the next waiter through `setImmediate`, not a promise continuation.
 * PGlite runs queries synchronously on this thread, so a queue of waiters handed on in microtasks
 * runs back to back without ever letting the event loop poll: under load (200 connections on a
 * list route) the server then did not accept new connections for seconds, and 1% of requests
 * waited 10-20 s. One event-loop turn per hand-over keeps accepting and reading requests between
 * queries and costs nothing measurable (bench/api-load).
 */
export function serialPGliteDriver(options: PGliteOptions): { Pool: new () => unknown } {
  const inner = new PGliteDriver(options).driver.Pool;
  let tail: Promise<void> = Promise.resolve();

  class SerialPGlitePool extends inner {
    override connect(callback: Parameters<PGlitePool['connect']>[0]): Promise<void> {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const turn = tail;
      tail = tail.then(() => held);
      return turn.then(() =>
        super.connect((err, client) => {
          let released = false;
          const done = () => {
            if (!released) {
              released = true;
              setImmediate(release);
            }
          };
          if (err) done();
          callback(err, client, done);
        }),
      );
    }
  }
  return { Pool: SerialPGlitePool };
}
