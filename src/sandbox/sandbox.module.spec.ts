import { loadConfig } from '../config/app-config';
import { DockerSandboxRunner } from './docker/docker-sandbox-runner';
import { KubernetesSandboxRunner } from './kubernetes/kubernetes-sandbox-runner';
import { createSandboxRunner } from './sandbox.module';

describe('createSandboxRunner', () => {
  it('defaults to Docker', async () => {
    expect(await createSandboxRunner(loadConfig({}))).toBeInstanceOf(DockerSandboxRunner);
  });
  it('builds the Kubernetes runner from its config', async () => {
    const config = loadConfig({
      CRUCIBLE_SANDBOX_DRIVER: 'kubernetes',
      CRUCIBLE_K8S_NAMESPACE: 'sandbox',
      CRUCIBLE_K8S_ARTIFACT_PVC: 'artifacts',
      CRUCIBLE_K8S_TOLERATIONS: 'nvidia.com/gpu:NoSchedule',
      KUBECONFIG: `${__dirname}/../../test/fakes/kubeconfig.yaml`,
    });
    expect(config.sandbox.kubernetes?.tolerations).toEqual([{ key: 'nvidia.com/gpu', value: undefined, effect: 'NoSchedule' }]);
    expect(await createSandboxRunner(config)).toBeInstanceOf(KubernetesSandboxRunner);
  });
  it('fails on an unknown driver', async () => {
    const config = loadConfig({});
    const bad = { ...config, sandbox: { ...config.sandbox, driver: 'podman' } } as unknown as typeof config;
    await expect(createSandboxRunner(bad)).rejects.toThrow(/unknown sandbox driver "podman"/);
    expect(() => loadConfig({ CRUCIBLE_SANDBOX_DRIVER: 'podman' })).toThrow(/CRUCIBLE_SANDBOX_DRIVER/);
  });
});
