import * as path from 'node:path';
import { SANDBOX_LABELS, SANDBOX_PATHS, type RunSpec } from '../run-spec';
import { COLLECTOR_CONTAINER, COLLECTOR_PATHS, collectorCommand, lockedTrainerCommand } from './output-collector';

/**
 * Pure: RunSpec -> batch/v1 Job. Plain object types (a subset of the Kubernetes API) so this file
 * imports no client library; the manifests are validated against the OpenAPI schema in tests.
 */
export interface JobManifestOptions {
  namespace: string;
  /** ReadWriteMany claim shared with the worker, which mounts it at CRUCIBLE_DATA_DIR (dataDir). */
  artifactVolumeClaim: string;
  dataDir: string;
  runtimeClassName?: string;
  nodeSelector: Record<string, string>;
  tolerations: { key: string; value?: string; effect: string }[];
  jobTtlSeconds: number;
  /** Run the pod in its own user namespace (`hostUsers: false`; needs Kubernetes >= 1.30 and a runtime that supports it). */
  userNamespaces?: boolean;
  /** Now, epoch ms: activeDeadlineSeconds counts from Job start, the RunSpec deadline is absolute. */
  nowMs: number;
}

export interface K8sVolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly: boolean;
}

export interface K8sContainer {
  name: string;
  image: string;
  imagePullPolicy: 'IfNotPresent';
  command: string[];
  workingDir: string;
  env: { name: string; value: string }[];
  resources: { limits: Record<string, string>; requests: Record<string, string> };
  securityContext: {
    allowPrivilegeEscalation: false;
    privileged: false;
    readOnlyRootFilesystem: true;
    runAsNonRoot: true;
    capabilities: { drop: ['ALL'] };
    seccompProfile: { type: 'RuntimeDefault' };
  };
  volumeMounts: K8sVolumeMount[];
}

export interface K8sJob {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    backoffLimit: 0;
    activeDeadlineSeconds: number;
    ttlSecondsAfterFinished: number;
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        restartPolicy: 'Never';
        automountServiceAccountToken: false;
        enableServiceLinks: false;
        hostNetwork: false;
        hostPID: false;
        hostIPC: false;
        hostUsers?: false;
        terminationGracePeriodSeconds: number;
        runtimeClassName?: string;
        nodeSelector?: Record<string, string>;
        tolerations?: { key: string; operator: 'Equal' | 'Exists'; value?: string; effect: string }[];
        securityContext: {
          runAsNonRoot: true;
          runAsUser: number;
          runAsGroup: number;
          seccompProfile: { type: 'RuntimeDefault' };
        };
        containers: [K8sContainer, K8sContainer];
        volumes: (
          | { name: string; persistentVolumeClaim: { claimName: string; readOnly: boolean } }
          | { name: string; emptyDir: { medium?: 'Memory'; sizeLimit: string } }
        )[];
      };
    };
  };
}

export const TRAINER_CONTAINER = 'trainer';

/** The collector only copies a bounded file: a small fixed share of CPU and memory. */
const COLLECTOR_RESOURCES = { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '16Mi' };

const CONTAINER_SECURITY: K8sContainer['securityContext'] = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** Host path under the shared data dir -> subPath inside the artifact claim. */
export function claimSubPath(dataDir: string, hostPath: string): string {
  const rel = path.relative(path.resolve(dataDir), path.resolve(hostPath));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new Error(`${hostPath} is not inside the data dir ${dataDir}, so a Job cannot mount it from the artifact volume`);
  }
  return rel.split(path.sep).join('/');
}

export function buildJobManifest(spec: RunSpec, options: JobManifestOptions): K8sJob {
  const { limits } = spec;
  const remaining = Math.max(1, Math.ceil((spec.deadlineMs - options.nowMs) / 1000));
  const resources: Record<string, string> = {
    memory: `${limits.memoryMb}Mi`,
    cpu: `${Math.round(limits.cpus * 1000)}m`,
    // Scratch is memory-backed; ephemeral storage covers container logs and the writable layer.
    'ephemeral-storage': `${Math.ceil(limits.logMaxBytes / (1024 * 1024)) + 64}Mi`,
  };
  if (limits.gpus > 0) resources['nvidia.com/gpu'] = String(limits.gpus);
  const pvcMount = (mountPath: string, hostPath: string, readOnly: boolean): K8sVolumeMount => ({
    name: 'artifacts',
    mountPath,
    subPath: claimSubPath(options.dataDir, hostPath),
    readOnly,
  });
  const podLabels = { ...spec.labels };
  const template: K8sJob['spec']['template']['spec'] = {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    hostNetwork: false,
    hostPID: false,
    hostIPC: false,
    terminationGracePeriodSeconds: limits.graceSeconds,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: spec.user.uid,
      runAsGroup: spec.user.gid,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      {
        name: TRAINER_CONTAINER,
        image: spec.image,
        imagePullPolicy: 'IfNotPresent',
        // Kubernetes has no per-pod pids field (kubelet's podPidsLimit is node-wide config): the kernel's
        // RLIMIT_NPROC bounds the sandbox user's processes. Per pod with user namespaces; per node and
        // uid without them (so set podPidsLimit too; see k8s/README.md). The lock tells the collector
        // when the last process of the command has ended (output-collector.ts).
        command: lockedTrainerCommand(['prlimit', `--nproc=${limits.pidsLimit}`, '--', ...spec.command]),
        workingDir: SANDBOX_PATHS.code,
        env: Object.entries(spec.env).map(([name, value]) => ({ name, value })),
        resources: { limits: resources, requests: { ...resources } },
        securityContext: CONTAINER_SECURITY,
        volumeMounts: [
          pvcMount(SANDBOX_PATHS.task, spec.mounts.taskDir, true),
          pvcMount(SANDBOX_PATHS.train, spec.mounts.trainDir, true),
          pvcMount(SANDBOX_PATHS.code, spec.mounts.codeDir, true),
          { name: 'output', mountPath: SANDBOX_PATHS.output, readOnly: false },
          { name: 'lock', mountPath: COLLECTOR_PATHS.lockDir, readOnly: false },
          { name: 'tmp', mountPath: SANDBOX_PATHS.tmp, readOnly: false },
          { name: 'scratch', mountPath: SANDBOX_PATHS.scratch, readOnly: false },
        ],
      },
      {
        name: COLLECTOR_CONTAINER,
        image: spec.image,
        imagePullPolicy: 'IfNotPresent',
        // As the miner's uid: the owner of every file on /output, so no mode the miner set stops the copy.
        command: collectorCommand(SANDBOX_PATHS.output, limits.outputMaxBytes),
        workingDir: '/',
        env: [],
        resources: { limits: { ...COLLECTOR_RESOURCES }, requests: { ...COLLECTOR_RESOURCES } },
        securityContext: CONTAINER_SECURITY,
        volumeMounts: [
          { name: 'output', mountPath: SANDBOX_PATHS.output, readOnly: false },
          { name: 'lock', mountPath: COLLECTOR_PATHS.lockDir, readOnly: true },
          pvcMount(COLLECTOR_PATHS.collected, spec.mounts.outputDir, false),
        ],
      },
    ],
    volumes: [
      { name: 'artifacts', persistentVolumeClaim: { claimName: options.artifactVolumeClaim, readOnly: false } },
      // A tmpfs of sizeLimit bytes (the kubelet mounts memory-backed emptyDirs with size=): writes past
      // it fail with ENOSPC. Its pages count against the writer's memory limit, as on Docker.
      { name: 'output', emptyDir: { medium: 'Memory', sizeLimit: String(limits.outputMaxBytes) } },
      { name: 'lock', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: `${limits.scratchMb}Mi` } },
      { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: `${limits.scratchMb}Mi` } },
    ],
  };
  if (options.runtimeClassName) template.runtimeClassName = options.runtimeClassName;
  if (options.userNamespaces) template.hostUsers = false;
  if (Object.keys(options.nodeSelector).length > 0) template.nodeSelector = { ...options.nodeSelector };
  if (options.tolerations.length > 0) {
    template.tolerations = options.tolerations.map((t) =>
      t.value === undefined ? { key: t.key, operator: 'Exists', effect: t.effect } : { key: t.key, operator: 'Equal', value: t.value, effect: t.effect },
    );
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: spec.name,
      namespace: options.namespace,
      labels: spec.labels,
      annotations: { [SANDBOX_LABELS.deadline]: String(spec.deadlineMs) },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: remaining,
      ttlSecondsAfterFinished: options.jobTtlSeconds,
      template: { metadata: { labels: podLabels }, spec: template },
    },
  };
}
