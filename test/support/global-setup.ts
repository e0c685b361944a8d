import { execSync } from 'node:child_process';
import * as net from 'node:net';

/** Integration suites need a PostgreSQL server: start the machine's cluster when none listens. */
export default async function globalSetup(): Promise<void> {
  if (await listening(5432)) return;
  try {
    const version = execSync('ls /etc/postgresql').toString().trim().split('\n')[0];
    execSync(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`, { stdio: 'inherit' });
  } catch (error) {
    console.warn('could not start PostgreSQL; PostgreSQL suites will fail', error);
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
