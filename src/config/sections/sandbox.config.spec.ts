import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeVariables, readSection } from '../../../test/support/config-cases';
import { readSandboxConfig, type SandboxConfig } from './sandbox.config';

const KUBERNETES = { CRUCIBLE_SANDBOX_DRIVER: 'kubernetes', CRUCIBLE_K8S_NAMESPACE: 'crucible-sandbox', CRUCIBLE_K8S_ARTIFACT_PVC: 'crucible-artifacts' };
const k8s = (c: SandboxConfig) => c.kubernetes;

describe('sandbox config', () => {
  // This spec sits in src/config/sections/; the profile ships in sandbox-images/ at the repository root.
  const shippedProfile = path.join(__dirname, '..', '..', '..', 'sandbox-images', 'seccomp.json');

  it('the shipped seccomp profile exists where the default points', () => {
    expect(fs.existsSync(shippedProfile)).toBe(true);
  });

  describeVariables<SandboxConfig>(readSandboxConfig, [
    { name: 'CRUCIBLE_SANDBOX_INSTANCE', get: (c) => c.instance, unset: 'default', valid: [['eu-1', 'eu-1']] },
    { name: 'CRUCIBLE_SANDBOX_IMAGE', get: (c) => c.image, unset: 'crucible/trainer-cpu:1', valid: [['registry.example.org/trainer@sha256:ab', 'registry.example.org/trainer@sha256:ab']] },
    { name: 'CRUCIBLE_SANDBOX_GPU_IMAGE', get: (c) => c.gpuImage, unset: 'crucible/trainer-cuda:1', valid: [['crucible/trainer-cuda:2', 'crucible/trainer-cuda:2']] },
    {
      name: 'CRUCIBLE_SANDBOX_MEMORY_MB',
      get: (c) => c.memoryMb,
      unset: 2048,
      valid: [['64', 64], ['1048576', 1048576]],
      invalid: [['63', 'CRUCIBLE_SANDBOX_MEMORY_MB must be an integer between 64 and 1048576 (got "63")']],
    },
    {
      name: 'CRUCIBLE_SANDBOX_CPUS',
      get: (c) => c.cpus,
      unset: 1,
      valid: [['0.1', 0.1], ['2.5', 2.5], ['256', 256]],
      invalid: [
        ['0.05', 'CRUCIBLE_SANDBOX_CPUS must be a number between 0.1 and 256 (got "0.05")'],
        ['two', 'CRUCIBLE_SANDBOX_CPUS must be a number between 0.1 and 256 (got "two")'],
      ],
    },
    {
      name: 'CRUCIBLE_SANDBOX_PIDS',
      get: (c) => c.pidsLimit,
      unset: 256,
      valid: [['16', 16], ['65536', 65536]],
      invalid: [['15', 'CRUCIBLE_SANDBOX_PIDS must be an integer between 16 and 65536 (got "15")']],
    },
    {
      name: 'CRUCIBLE_SANDBOX_OUTPUT_MAX_MB',
      get: (c) => c.outputMaxMb,
      unset: 256,
      valid: [['1', 1]],
      invalid: [['0', 'CRUCIBLE_SANDBOX_OUTPUT_MAX_MB must be an integer between 1 and 1048576 (got "0")']],
    },
    {
      name: 'CRUCIBLE_SANDBOX_LOG_MAX_KB',
      get: (c) => c.logMaxKb,
      unset: 1024,
      valid: [['16', 16]],
      invalid: [['8', 'CRUCIBLE_SANDBOX_LOG_MAX_KB must be an integer between 16 and 1048576 (got "8")']],
    },
    {
      name: 'CRUCIBLE_SANDBOX_GRACE_SECONDS',
      get: (c) => c.gracePeriodSeconds,
      unset: 10,
      valid: [['0', 0], ['3600', 3600]],
      invalid: [['3601', 'CRUCIBLE_SANDBOX_GRACE_SECONDS must be an integer between 0 and 3600 (got "3601")']],
    },
    {
      name: 'CRUCIBLE_SANDBOX_SCRATCH_MB',
      get: (c) => c.scratchMb,
      unset: 512,
      valid: [['16', 16]],
      invalid: [['15', 'CRUCIBLE_SANDBOX_SCRATCH_MB must be an integer between 16 and 1048576 (got "15")']],
    },
    {
      name: 'CRUCIBLE_SANDBOX_MAX_FILES',
      get: (c) => c.maxFiles,
      unset: 4096,
      valid: [['1048576', 1048576]],
      invalid: [['1048577', 'CRUCIBLE_SANDBOX_MAX_FILES must be an integer between 16 and 1048576 (got "1048577")']],
    },
    {
      name: 'CRUCIBLE_SANDBOX_GPUS_PER_RUN',
      get: (c) => c.gpusPerRun,
      unset: 1,
      valid: [['0', 0], ['64', 64]],
      invalid: [['65', 'CRUCIBLE_SANDBOX_GPUS_PER_RUN must be an integer between 0 and 64 (got "65")']],
    },
    {
      name: 'CRUCIBLE_SANDBOX_SECCOMP',
      get: (c) => c.seccompProfile,
      unset: shippedProfile,
      valid: [['crucible', shippedProfile], ['default', null], ['/etc/crucible/seccomp.json', '/etc/crucible/seccomp.json'], ['profiles/strict.json', path.join(process.cwd(), 'profiles', 'strict.json')]],
    },
    { name: 'DOCKER_SOCKET', get: (c) => c.docker.socketPath, unset: '/var/run/docker.sock', valid: [['/run/user/1000/docker.sock', '/run/user/1000/docker.sock']] },
    {
      name: 'CRUCIBLE_SANDBOX_DRIVER',
      get: (c) => [c.driver, c.kubernetes],
      unset: ['docker', undefined],
      valid: [['docker', ['docker', undefined]]],
      invalid: [['podman', 'CRUCIBLE_SANDBOX_DRIVER must be one of docker, kubernetes (got "podman")']],
    },
  ]);

  it('the Kubernetes variables are not read with the Docker driver', () => {
    const { config, problems } = readSection(readSandboxConfig, { CRUCIBLE_K8S_TOLERATIONS: 'nonsense', CRUCIBLE_K8S_POLL_MS: '1' });
    expect(problems).toEqual([]);
    expect(config.kubernetes).toBeUndefined();
  });

  it('the Kubernetes driver requires a namespace and an artifact volume claim', () => {
    expect(readSection(readSandboxConfig, { CRUCIBLE_SANDBOX_DRIVER: 'kubernetes' }).problems).toEqual([
      'CRUCIBLE_K8S_NAMESPACE is required when CRUCIBLE_SANDBOX_DRIVER=kubernetes',
      'CRUCIBLE_K8S_ARTIFACT_PVC is required when CRUCIBLE_SANDBOX_DRIVER=kubernetes',
    ]);
    const { config, problems } = readSection(readSandboxConfig, KUBERNETES);
    expect(problems).toEqual([]);
    expect(config.driver).toBe('kubernetes');
    expect(config.kubernetes).toEqual({
      namespace: 'crucible-sandbox',
      artifactVolumeClaim: 'crucible-artifacts',
      kubeconfig: undefined,
      runtimeClassName: undefined,
      nodeSelector: {},
      jobTtlSeconds: 3600,
      tolerations: [],
      pollMs: 2000,
      userNamespaces: true,
    });
  });

  describeVariables<SandboxConfig>(
    readSandboxConfig,
    [
      { name: 'KUBECONFIG', get: (c) => k8s(c)?.kubeconfig, unset: undefined, valid: [['/etc/kube/config', '/etc/kube/config']] },
      { name: 'CRUCIBLE_K8S_RUNTIME_CLASS', get: (c) => k8s(c)?.runtimeClassName, unset: undefined, valid: [['gvisor', 'gvisor']] },
      {
        name: 'CRUCIBLE_K8S_NODE_SELECTOR',
        get: (c) => k8s(c)?.nodeSelector,
        unset: {},
        valid: [['pool=gpu, zone=eu-1a', { pool: 'gpu', zone: 'eu-1a' }]],
        invalid: [['pool', 'CRUCIBLE_K8S_NODE_SELECTOR must look like key=value,key2=value2']],
      },
      {
        name: 'CRUCIBLE_K8S_JOB_TTL_SECONDS',
        get: (c) => k8s(c)?.jobTtlSeconds,
        unset: 3600,
        valid: [['0', 0], ['604800', 604800]],
        invalid: [['604801', 'CRUCIBLE_K8S_JOB_TTL_SECONDS must be an integer between 0 and 604800 (got "604801")']],
      },
      {
        name: 'CRUCIBLE_K8S_TOLERATIONS',
        get: (c) => k8s(c)?.tolerations,
        unset: [],
        valid: [
          [
            'nvidia.com/gpu:NoSchedule, dedicated=training:NoExecute,spot=:PreferNoSchedule',
            [
              { key: 'nvidia.com/gpu', value: undefined, effect: 'NoSchedule' },
              { key: 'dedicated', value: 'training', effect: 'NoExecute' },
              { key: 'spot', value: undefined, effect: 'PreferNoSchedule' },
            ],
          ],
        ],
        invalid: [
          ['nvidia.com/gpu:Never', 'CRUCIBLE_K8S_TOLERATIONS must look like key[=value]:NoSchedule|PreferNoSchedule|NoExecute, comma-separated'],
          ['nvidia.com/gpu', 'CRUCIBLE_K8S_TOLERATIONS must look like key[=value]:NoSchedule|PreferNoSchedule|NoExecute, comma-separated'],
          ['gpu:NoSchedule,', 'CRUCIBLE_K8S_TOLERATIONS must look like key[=value]:NoSchedule|PreferNoSchedule|NoExecute, comma-separated'],
        ],
      },
      {
        name: 'CRUCIBLE_K8S_POLL_MS',
        get: (c) => k8s(c)?.pollMs,
        unset: 2000,
        valid: [['50', 50], ['60000', 60000]],
        invalid: [['49', 'CRUCIBLE_K8S_POLL_MS must be an integer between 50 and 60000 (got "49")']],
      },
      {
        name: 'CRUCIBLE_K8S_USER_NAMESPACES',
        get: (c) => k8s(c)?.userNamespaces,
        unset: true,
        valid: [['false', false]],
        invalid: [['auto', 'CRUCIBLE_K8S_USER_NAMESPACES must be true or false (got "auto")']],
      },
    ],
    KUBERNETES,
  );
});
