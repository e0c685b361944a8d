import * as net from 'node:net';

/**
 * Integration suites need a PostgreSQL server. `npm test` starts (or installs) one first through
 * scripts/setup.sh; running jest directly skips that, so say what is missing instead of failing later.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.CRUCIBLE_TEST_PG_URL || (await listening(5432))) return;
  console.warn('no PostgreSQL at 127.0.0.1:5432: run `bash scripts/setup.sh postgres` (npm test does); PostgreSQL suites will fail');
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
