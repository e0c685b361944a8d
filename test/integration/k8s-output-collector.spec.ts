import type Docker from 'dockerode';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { classifyOutcome } from '../../src/sandbox/classify-outcome';
import { readCollectedOutput, type CollectedFacts } from '../../src/sandbox/kubernetes/collected-output';
import { buildJobManifest } from '../../src/sandbox/kubernetes/job-manifest';
import { buildRunSpec, type RunLimits } from '../../src/sandbox/run-spec';
import { requireDocker, TRAINER_IMAGE } from '../support/docker-sandbox';

/**
 * The Kubernetes pod's trainer and collector, each with the exact command of the Job manifest, run as
 * two containers on the real kernel: /output and the lock dir are tmpfs volumes both containers share
 * (as a memory-backed emptyDir is, with size= its sizeLimit), the run's dir on the claim is a host dir.
 * What a kubelet adds (emptyDir lifecycle, pod status) is not in it.
 */
const limits: RunLimits = {
  memoryMb: 256,
  cpus: 1,
  pidsLimit: 64,
  gpus: 0,
  scratchMb: 16,
  outputMaxBytes: 1 << 20,
  maxFiles: 64,
  logMaxBytes: 16 << 10,
  wallSeconds: 60,
  graceSeconds: 1,
};

interface Ran {
  trainerExit: number;
  facts: CollectedFacts | null;
  claimFiles: string[];
  modelPath: string;
}

let docker: Docker;
let root: string;
let counter = 0;

beforeAll(async () => {
  docker = await requireDocker();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-collector-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function runPod(script: string): Promise<Ran> {
  const name = `crucible-k8s-collector-${process.pid}-${++counter}`;
  const dirs = ['task', 'train', 'code', 'output'].map((d) => path.join(root, name, d));
  dirs.forEach((d) => fs.mkdirSync(d, { recursive: true }));
  fs.chownSync(dirs[3], 1000, 1000); // as the executor prepares it
  const spec = buildRunSpec({
    instance: 'k8s-collector',
    runId: name,
    attempt: 1,
    tournamentId: 't',
    image: TRAINER_IMAGE,
    entrypoint: ['sh', '-c', script],
    mounts: { taskDir: dirs[0], trainDir: dirs[1], codeDir: dirs[2], outputDir: dirs[3] },
    limits,
    startedAtMs: Date.now(),
  });
  const pod = buildJobManifest(spec, { namespace: 'n', artifactVolumeClaim: 'c', dataDir: root, nodeSelector: {}, tolerations: [], jobTtlSeconds: 60, nowMs: Date.now() }).spec.template.spec;
  const [trainer, collector] = pod.containers;
  const volumes = { output: `${name}-output`, lock: `${name}-lock` };
  await docker.createVolume({ Name: volumes.output, Driver: 'local', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: `size=${limits.outputMaxBytes},mode=0777` } });
  await docker.createVolume({ Name: volumes.lock, Driver: 'local', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,mode=0777' } });
  const container = (c: typeof trainer, binds: string[]): Promise<Docker.Container> =>
    docker.createContainer({
      name: `${name}-${c.name}`,
      Image: TRAINER_IMAGE,
      Cmd: c.command,
      User: '1000:1000',
      WorkingDir: '/',
      HostConfig: {
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges:true'],
        Memory: limits.memoryMb << 20,
        Mounts: c.volumeMounts
          .filter((m) => m.name === 'output' || m.name === 'lock')
          .map((m) => ({ Type: 'volume' as const, Source: volumes[m.name as 'output' | 'lock'], Target: m.mountPath, ReadOnly: m.readOnly })),
        Binds: binds,
      },
    });
  const collectedAt = collector.volumeMounts.find((m) => m.name === 'artifacts')?.mountPath;
  const collectorContainer = await container(collector, [`${dirs[3]}:${collectedAt}`]);
  const trainerContainer = await container(trainer, []);
  try {
    // The collector first: it must wait for the trainer's lock, not take it.
    await collectorContainer.start();
    await trainerContainer.start();
    const trainerExit = ((await trainerContainer.wait()) as { StatusCode: number }).StatusCode;
    const collectorExit = ((await collectorContainer.wait()) as { StatusCode: number }).StatusCode;
    expect(collectorExit).toBe(0);
    const modelPath = path.join(root, `${name}.onnx`);
    const facts = await readCollectedOutput(dirs[3], modelPath, limits.outputMaxBytes);
    return { trainerExit, facts, claimFiles: fs.readdirSync(dirs[3]).sort(), modelPath };
  } finally {
    await trainerContainer.remove({ force: true, v: true });
    await collectorContainer.remove({ force: true, v: true });
    await docker.getVolume(volumes.output).remove();
    await docker.getVolume(volumes.lock).remove();
  }
}

const outcomeOf = (ran: Ran): string =>
  classifyOutcome({ exitCode: ran.trainerExit, oomKilled: false, timedOut: false, cancelled: false, imageDigest: null }, ran.facts ?? { model: { kind: 'missing' }, outputFull: false }, limits).outcome;

describe('Kubernetes /output: trainer and collector on a real tmpfs', () => {
  afterEach(async () => {
    // Nothing of a pod stays behind: no containers, no volumes.
    const containers = await docker.listContainers({ all: true, filters: JSON.stringify({ name: [`crucible-k8s-collector-${process.pid}-`] }) });
    const volumes = (await docker.listVolumes()).Volumes.filter((v) => v.Name.startsWith(`crucible-k8s-collector-${process.pid}-`));
    expect([...containers.map((c) => c.Names[0]), ...volumes.map((v) => v.Name)]).toEqual([]);
  });

  it('waits for the last process of the trainer (the lock), then copies the model byte for byte', async () => {
    // The collector started first; the model is written 2 s in, by a child of the trainer's command.
    const ran = await runPod("(sleep 2; head -c 3000 /dev/zero | tr '\\0' x > /output/model.onnx) & wait");
    expect(ran.facts).toEqual({ model: { kind: 'file', bytes: 3000 }, outputFull: false, files: 1 });
    expect(fs.readFileSync(ran.modelPath, 'utf8')).toBe('x'.repeat(3000));
    expect(ran.claimFiles).toEqual(['model.onnx', 'result.json']);
    expect(outcomeOf(ran)).toBe('succeeded');
  });

  it('over the byte limit in under a second: the kernel stops the write (ENOSPC), the run is output_invalid', async () => {
    const ran = await runPod('head -c 8388608 /dev/zero > /output/model.onnx');
    expect(ran.trainerExit).toBe(1);
    expect(ran.facts?.outputFull).toBe(true);
    expect(ran.facts?.model).toEqual({ kind: 'file', bytes: 1 << 20 }); // what the 1 MiB tmpfs held
    expect(outcomeOf(ran)).toBe('output_invalid');
  });

  it('reads a model of mode 000 and counts bytes hidden in a directory without permissions', async () => {
    const ran = await runPod(
      "head -c 3000 /dev/zero | tr '\\0' y > /output/model.onnx && chmod 000 /output/model.onnx && mkdir /output/h && head -c 1040000 /dev/zero > /output/h/x; chmod 000 /output/h; exit 0",
    );
    expect(fs.readFileSync(ran.modelPath, 'utf8')).toBe('y'.repeat(3000));
    // The hidden file filled the tmpfs (its write stopped at the limit): the kernel's count sees it.
    expect(ran.facts).toMatchObject({ model: { kind: 'file', bytes: 3000 }, outputFull: true, files: 3 });
  });

  it('refuses a link or a FIFO as the model without following or blocking on it', async () => {
    expect((await runPod('ln -s /etc/passwd /output/model.onnx')).facts?.model).toEqual({ kind: 'not-a-file' });
    const fifo = await runPod('mkfifo /output/model.onnx');
    expect(fifo.facts?.model).toEqual({ kind: 'not-a-file' });
    expect(fifo.claimFiles).toEqual(['result.json']);
    expect(outcomeOf(fifo)).toBe('output_invalid');
  });

  it('more files than the limit (emptyDir sets no nr_inodes): counted by the kernel, refused as output_invalid', async () => {
    const ran = await runPod("mkdir /output/d && cd /output/d && seq 100 | xargs touch && head -c 10 /dev/zero | tr '\\0' z > /output/model.onnx");
    expect(ran.trainerExit).toBe(0);
    expect(ran.facts?.files).toBe(102); // d, 100 files, model.onnx
    expect(outcomeOf(ran)).toBe('output_invalid');
  });
});
