import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { kubeClient } from '../../src/sandbox/kubernetes/kube-client';
import { KubernetesSandboxRunner } from '../../src/sandbox/kubernetes/kubernetes-sandbox-runner';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api-server';
import { validateAgainstKubeSchema } from '../fakes/kube-openapi';
import { sandboxRunnerContract } from './sandbox-contract';

let api: FakeKubeApi;

sandboxRunnerContract('kubernetes (fake API server)', async () => {
  api = await startFakeKubeApi();
  const kc = new (kubeClient().KubeConfig)();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: api.url, skipTLSVerify: true }],
    users: [{ name: 'crucible', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'crucible', namespace: 'crucible-sandbox' }],
    currentContext: 'fake',
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-contract-k8s-'));
  const runner = new KubernetesSandboxRunner(kc, {
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
      expect(pod?.containers[0].command?.slice(0, 3)).toEqual(['prlimit', expect.stringMatching(/^--nproc=\d+$/), '--']);
    }
  });
});
