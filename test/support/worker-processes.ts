import type Docker from 'dockerode';
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { DatabaseConfig } from '../../src/config/app-config';
import { SANDBOX_LABELS } from '../../src/sandbox/run-spec';

/** A worker process (test/support/chaos-worker.ts) in standby: its code loads while the test goes on. */
export interface StandbyWorker {
  child: ChildProcess;
  /** Everything it printed on stdout so far. */
  output(): string;
  /** The start line: it boots its app and plays the tournament. */
  start(tournamentId: string): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a worker process that loads its code, then waits for `start` before it boots the app on
 * `db` (the crash and multi-worker suites). It is added to `children` (for the suite's clean-up) and
 * removed when it exits.
 */
export function standbyWorker(options: { db: DatabaseConfig; dataDir: string; env: Record<string, string> }, children: Set<ChildProcess>): StandbyWorker {
  const child = spawn(process.execPath, ['-r', path.resolve(__dirname, 'ts-register.js'), path.resolve(__dirname, 'chaos-worker.ts'), JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.add(child);
  // A child that died before its start line is reported by `exited`, not by a write error here.
  child.stdin?.on('error', () => undefined);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, output: () => out, start: (tournamentId) => child.stdin?.end(`${JSON.stringify({ tournamentId })}\n`), exited };
}

/** `<run id>#<attempt>` of every container the engine creates for `instance`, from its own events, until `stop`. */
export async function watchContainerCreates(docker: Docker, instance: string): Promise<{ creates: string[]; stop(): void }> {
  const creates: string[] = [];
  const events = (await docker.getEvents({ filters: JSON.stringify({ type: ['container'], event: ['create'], label: [`${SANDBOX_LABELS.instance}=${instance}`] }) })) as Readable;
  let pending = '';
  events.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const attrs = (JSON.parse(line) as { Actor: { Attributes: Record<string, string> } }).Actor.Attributes;
      creates.push(`${attrs[SANDBOX_LABELS.runId]}#${attrs[SANDBOX_LABELS.attempt]}`);
    }
  });
  return { creates, stop: () => events.destroy() };
}
