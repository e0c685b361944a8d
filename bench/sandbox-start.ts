/**
 * Crucible's sandbox start-to-exit for a no-op script vs a plain `docker run --rm IMAGE true` done with
 * the same client in the same process (create, start, wait, logs, remove). Runs are interleaved and
 * the medians compared. Needs a Docker engine and the trainer image (.ci/docker.sh).
 *   npm run bench -- sandbox-start [iterations]
 */
import { Logger } from '@nestjs/common';
import Docker from 'dockerode';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DockerSandboxRunner } from '../src/sandbox/docker/docker-sandbox-runner';
import { buildRunSpec } from '../src/sandbox/run-spec';

const IMAGE = process.env.CRUCIBLE_SANDBOX_IMAGE ?? 'crucible/trainer-cpu:1';
const iterations = Number(process.argv[2] ?? 9);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function plainDockerRun(docker: Docker): Promise<number> {
  const t0 = performance.now();
  // What `docker run --rm IMAGE true` asks of the engine (no bridge exists on these hosts, hence "none").
  const container = await docker.createContainer({ Image: IMAGE, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
  await container.start();
  await container.wait();
  await container.logs({ stdout: true, stderr: true, follow: false });
  await container.remove({ force: true });
  return performance.now() - t0;
}

async function crucibleRun(runner: DockerSandboxRunner, root: string, i: number): Promise<number> {
  const dirs = ['task', 'train', 'code', 'output'].map((d) => path.join(root, `r${i}`, d));
  dirs.forEach((d) => fs.mkdirSync(d, { recursive: true }));
  const spec = buildRunSpec({
    instance: `bench-${process.pid}`,
    runId: `bench-${process.pid}-${i}`,
    attempt: 1,
    tournamentId: 'bench',
    image: IMAGE,
    entrypoint: ['true'],
    mounts: { taskDir: dirs[0], trainDir: dirs[1], codeDir: dirs[2], outputDir: dirs[3] },
    limits: { memoryMb: 512, cpus: 1, pidsLimit: 64, gpus: 0, scratchMb: 64, maxFiles: 1024, outputMaxBytes: 8 << 20, logMaxBytes: 64 << 10, wallSeconds: 60, graceSeconds: 2 },
    startedAtMs: Date.now(),
  });
  const t0 = performance.now();
  const { ref } = await runner.start(spec);
  const exit = await runner.wait(ref);
  await runner.collect(ref, { modelPath: path.join(root, `r${i}`, 'model.onnx'), logPath: path.join(root, `r${i}`, 'logs.txt'), modelMaxBytes: 8 << 20, logMaxBytes: 64 << 10 });
  await runner.cleanup(ref);
  const elapsed = performance.now() - t0;
  if (exit.exitCode !== 0) throw new Error(`no-op run exited ${exit.exitCode}`);
  return elapsed;
}

/** The docker CLI itself, for context only (a process spawn and an attach on top of the API calls). */
function dockerCli(): number {
  const t0 = performance.now();
  const r = spawnSync('docker', ['run', '--rm', '--network', 'none', IMAGE, 'true']);
  if (r.status !== 0) throw new Error(`docker run failed: ${r.stderr.toString()}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const socketPath = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';
  const docker = new Docker({ socketPath });
  const runner = new DockerSandboxRunner(docker, `bench-${process.pid}`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-'));
  const plain: number[] = [];
  let cli: number[] = [];
  const crucible: number[] = [];
  try {
    await plainDockerRun(docker); // warm-up: image layers and engine caches
    await crucibleRun(runner, root, -1);
    for (let i = 0; i < iterations; i++) {
      // Alternate the order so neither side always runs on a warmer engine.
      if (i % 2 === 0) {
        plain.push(await plainDockerRun(docker));
        crucible.push(await crucibleRun(runner, root, i));
      } else {
        crucible.push(await crucibleRun(runner, root, i));
        plain.push(await plainDockerRun(docker));
      }
    }
    cli = [dockerCli(), dockerCli(), dockerCli()];
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const p = median(plain);
  const c = median(crucible);
  console.log(`image: ${IMAGE}`);
  console.log(`iterations: ${iterations}`);
  console.log(`plain_docker_run_median_ms: ${p.toFixed(1)}`);
  console.log(`plain_docker_run_min_ms: ${Math.min(...plain).toFixed(1)}`);
  console.log(`docker_cli_run_median_ms: ${median(cli).toFixed(1)}`);
  console.log(`crucible_sandbox_median_ms: ${c.toFixed(1)}`);
  console.log(`crucible_sandbox_min_ms: ${Math.min(...crucible).toFixed(1)}`);
  console.log('direction: crucible start-to-exit over plain docker run; lower is better, target <= 1.25');
  console.log(`ratio: ${(c / p).toFixed(3)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
