import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { kubeClient } from '../../src/sandbox/kubernetes/kube-client';
import { KubernetesSandboxRunner } from '../../src/sandbox/kubernetes/kubernetes-sandbox-runner';
import { buildRunSpec, sandboxName } from '../../src/sandbox/run-spec';
import type { CollectedOutput } from '../../src/sandbox/sandbox-runner';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api-server';
import { validateAgainstKubeSchema } from '../fakes/kube-openapi';
import { sandboxRunnerContract } from './sandbox-contract';

let api: FakeKubeApi;

function kubernetesRunner(server: FakeKubeApi, dataDir: string): KubernetesSandboxRunner {
  const kc = new (kubeClient().KubeConfig)();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: server.url, skipTLSVerify: true }],
    users: [{ name: 'crucible', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'crucible', namespace: 'crucible-sandbox' }],
    currentContext: 'fake',
  });
  return new KubernetesSandboxRunner(kc, {
    namespace: 'crucible-sandbox',
    instance: 'contract-k8s',
    artifactVolumeClaim: 'crucible-artifacts',
    dataDir,
    runtimeClassName: 'gvisor',
    nodeSelector: { 'crucible.io/pool': 'train' },
    tolerations: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
    jobTtlSeconds: 600,
    pollMs: 100,
    userNamespaces: true,
  });
}

sandboxRunnerContract('kubernetes (fake API server)', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-contract-k8s-'));
  api = await startFakeKubeApi({ claimDir: dataDir });
  const runner = kubernetesRunner(api, dataDir);
  return {
    runner,
    image: 'crucible/trainer-cpu:1',
    instance: 'contract-k8s',
    dataDir,
    close: async () => {
      await api.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

describe('Jobs sent to the API server', () => {
  it('are valid batch/v1 Jobs per the Kubernetes OpenAPI schema', () => {
    expect(api.created.length).toBeGreaterThan(0);
    for (const job of api.created) expect(validateAgainstKubeSchema('io.k8s.api.batch.v1.Job', job)).toEqual([]);
  });
  it('run in their own user namespace with the pids limit applied by the kernel (RLIMIT_NPROC) before the command', () => {
    for (const job of api.created as k8s.V1Job[]) {
      const pod = job.spec?.template.spec;
      expect(pod?.hostUsers).toBe(false);
      expect(pod?.containers[0].command?.slice(4, 7)).toEqual(['prlimit', expect.stringMatching(/^--nproc=\d+$/), '--']);
    }
  });
  it('give the trainer /output on a size-limited memory-backed emptyDir, and the claim only to the collector', () => {
    for (const job of api.created as k8s.V1Job[]) {
      const pod = job.spec?.template.spec;
      const [trainer, collector] = pod?.containers ?? [];
      const volume = (name: string | undefined): k8s.V1Volume | undefined => pod?.volumes?.find((v) => v.name === name);
      const output = trainer.volumeMounts?.find((m) => m.mountPath === '/output');
      // The contract's limit: 1 << 20 bytes.
      expect(volume(output?.name)?.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '1048576' });
      expect(trainer.volumeMounts?.filter((m) => volume(m.name)?.persistentVolumeClaim).every((m) => m.readOnly)).toBe(true);
      expect(collector.name).toBe('collector');
      expect(collector.volumeMounts?.find((m) => m.mountPath === '/output')?.name).toBe(output?.name);
      expect(collector.securityContext).toEqual(trainer.securityContext);
    }
  });
});

describe('/output through the collector (fake kubelet; the collector script itself runs)', () => {
  const runs: string[] = [];
  let server: FakeKubeApi;
  let runner: KubernetesSandboxRunner;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-collect-k8s-'));
    server = await startFakeKubeApi({ claimDir: dataDir });
    runner = kubernetesRunner(server, dataDir);
  });
  const start = async (script: string, outputMaxBytes: number, wallSeconds = 30): Promise<{ ref: string; outputDir: string }> => {
    const runId = `collect-${process.pid}-${runs.length + 1}`;
    runs.push(sandboxName(runId, 1));
    const root = path.join(dataDir, runId);
    const dirs = ['task', 'train', 'code', 'output'].map((d) => path.join(root, d));
    dirs.forEach((d) => fs.mkdirSync(d, { recursive: true }));
    const spec = buildRunSpec({
      instance: 'contract-k8s',
      runId,
      attempt: 1,
      tournamentId: 'collect',
      image: 'crucible/trainer-cpu:1',
      entrypoint: ['sh', '-c', script],
      mounts: { taskDir: dirs[0], trainDir: dirs[1], codeDir: dirs[2], outputDir: dirs[3] },
      limits: { memoryMb: 128, cpus: 0.5, pidsLimit: 32, gpus: 0, scratchMb: 16, maxFiles: 256, outputMaxBytes, logMaxBytes: 16 << 10, wallSeconds, graceSeconds: 1 },
      startedAtMs: Date.now(),
    });
    const { ref } = await runner.start(spec);
    return { ref, outputDir: dirs[3] };
  };
  const collect = (ref: string): Promise<CollectedOutput> =>
    runner.collect(ref, { modelPath: path.join(dataDir, `${ref}.onnx`), logPath: path.join(dataDir, `${ref}.log`), modelMaxBytes: 4096, logMaxBytes: 1024 });
  afterAll(async () => {
    for (const ref of runs) await runner.cleanup(ref);
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('copies a model within the cap to the worker, with the facts the collector read', async () => {
    const { ref, outputDir } = await start('head -c 3000 /dev/urandom > /output/model.onnx', 4096);
    expect(await runner.wait(ref)).toMatchObject({ exitCode: 0 });
    // No file count asserted: the fake's /output is a plain host dir, so statvfs counts the host
    // filesystem (k8s-output-collector.spec.ts checks the counts on a real tmpfs).
    expect(await collect(ref)).toMatchObject({ model: { kind: 'file', bytes: 3000 }, outputFull: false, logSaved: true });
    expect(fs.statSync(path.join(dataDir, `${ref}.onnx`)).size).toBe(3000);
    expect(fs.readdirSync(outputDir).sort()).toEqual(['model.onnx', 'result.json']);
  });
  it('reports a model over the cap without copying it', async () => {
    const { ref, outputDir } = await start('head -c 5000 /dev/urandom > /output/model.onnx', 4096);
    await runner.wait(ref);
    expect(await collect(ref)).toMatchObject({ model: { kind: 'too-large', bytes: 5000 } });
    expect(fs.readdirSync(outputDir)).toEqual(['result.json']);
  });
  it('a run stopped at its deadline never ran the collector: no model, no error', async () => {
    const { ref } = await start('sleep 30', 4096, 1);
    expect(await runner.wait(ref)).toMatchObject({ timedOut: true });
    expect(await collect(ref)).toMatchObject({ model: { kind: 'missing' }, outputFull: false });
  });
  it('a collector that could not write its result is the platform failing (infra), with its exit', async () => {
    const { ref, outputDir } = await start('sleep 1; exit 0', 4096);
    fs.rmSync(outputDir, { recursive: true });
    expect(await runner.wait(ref)).toMatchObject({ exitCode: 0 });
    await expect(collect(ref)).rejects.toThrow(/the output collector left no result: exit 1 \(Error\)/);
  });
});
