import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildRunSpec, type RunSpec } from '../../src/sandbox/run-spec';
import type { SandboxRunner } from '../../src/sandbox/sandbox-runner';

export interface ContractHarness {
  runner: SandboxRunner;
  image: string;
  /** The instance the runner lists (sandboxes are labelled with it). */
  instance: string;
  /** Must be the data dir the runner was given (the Kubernetes adapter mounts sub-paths of it). */
  dataDir: string;
  close(): Promise<void>;
}

/** One suite, every SandboxRunner adapter: Docker (real engine) and Kubernetes (real client, fake API). */
export function sandboxRunnerContract(label: string, setup: () => Promise<ContractHarness>): void {
  describe(`SandboxRunner contract: ${label}`, () => {
    let h: ContractHarness;
    let counter = 0;

    beforeAll(async () => {
      h = await setup();
    }, 60_000);
    afterAll(async () => {
      await h?.close();
    });

    const spec = (command: string[], wallSeconds: number): RunSpec => {
      const runId = `contract-${label.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '')}-${process.pid}-${++counter}`;
      const root = path.join(h.dataDir, runId);
      const dirs = ['task', 'train', 'code', 'output'].map((d) => path.join(root, d));
      dirs.forEach((d) => fs.mkdirSync(d, { recursive: true }));
      fs.chmodSync(dirs[3], 0o777);
      fs.writeFileSync(path.join(dirs[0], 'task.json'), '{}');
      return buildRunSpec({
        instance: h.instance,
        runId,
        attempt: 1,
        tournamentId: 'contract',
        image: h.image,
        entrypoint: command,
        mounts: { taskDir: dirs[0], trainDir: dirs[1], codeDir: dirs[2], outputDir: dirs[3] },
        limits: { memoryMb: 128, cpus: 0.5, pidsLimit: 32, gpus: 0, scratchMb: 16, maxFiles: 256, outputMaxBytes: 1 << 20, logMaxBytes: 16 << 10, wallSeconds, graceSeconds: 1 },
        startedAtMs: Date.now(),
      });
    };

    it('runs to an exit code, keeps logs, is listed while present and cleaned up', async () => {
      const s = spec(['sh', '-c', 'echo hello-contract; exit 3'], 30);
      const { ref } = await h.runner.start(s);
      expect((await h.runner.listManaged()).map((m) => m.runId)).toContain(s.runId);
      const exit = await h.runner.wait(ref);
      expect(exit).toMatchObject({ exitCode: 3, timedOut: false, oomKilled: false, cancelled: false });
      const logFile = path.join(os.tmpdir(), `${s.runId}.log`);
      const collected = await h.runner.collect(ref, { modelPath: path.join(os.tmpdir(), `${s.runId}.onnx`), logPath: logFile, modelMaxBytes: 1024, logMaxBytes: 1024 });
      expect(collected).toMatchObject({ logSaved: true, model: { kind: 'missing' } });
      expect(fs.readFileSync(logFile, 'utf8')).toContain('hello-contract');
      fs.rmSync(logFile);
      await h.runner.cleanup(ref);
      await h.runner.cleanup(ref); // idempotent
      expect((await h.runner.listManaged()).map((m) => m.runId)).not.toContain(s.runId);
    });

    it('stops a run at its deadline (timedOut)', async () => {
      const { ref } = await h.runner.start(spec(['sh', '-c', 'echo start; sleep 30'], 2));
      const exit = await h.runner.wait(ref);
      expect(exit.timedOut).toBe(true);
      await h.runner.cleanup(ref);
    });

    it('reports an out-of-memory kill', async () => {
      const { ref } = await h.runner.start(spec(['python3', '-c', '# OOM\nx = []\nwhile True: x.append(b"\\x01" * (8 << 20))'], 30));
      const exit = await h.runner.wait(ref);
      expect(exit.oomKilled).toBe(true);
      await h.runner.cleanup(ref);
    });

    it('cancel stops a running sandbox and wait reports it cancelled', async () => {
      const { ref } = await h.runner.start(spec(['sh', '-c', 'sleep 30'], 60));
      const waiting = h.runner.wait(ref);
      await new Promise((r) => setTimeout(r, 300));
      await h.runner.cancel(ref, 0);
      const exit = await waiting;
      expect(exit).toMatchObject({ cancelled: true, timedOut: false });
      await h.runner.cleanup(ref);
    });

    it('replaces a stale sandbox of the same run attempt', async () => {
      const s = spec(['sh', '-c', 'sleep 30'], 60);
      const first = await h.runner.start(s);
      const second = await h.runner.start(s);
      const listed = (await h.runner.listManaged()).filter((m) => m.runId === s.runId);
      expect(listed).toHaveLength(1);
      await h.runner.cancel(second.ref, 0);
      await h.runner.cleanup(second.ref);
      await h.runner.cleanup(first.ref);
    });
  });
}
