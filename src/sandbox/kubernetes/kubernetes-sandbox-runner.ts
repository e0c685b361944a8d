import type * as k8s from '@kubernetes/client-node';
import { Logger } from '@nestjs/common';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { KubernetesSandboxConfig } from '../../config/app-config';
import { tailBytes } from '../log-tail';
import { SANDBOX_LABELS, type RunSpec } from '../run-spec';
import { SandboxInfraError } from '../sandbox.errors';
import {
  SandboxRunner,
  type CollectedOutput,
  type CollectRequest,
  type ManagedSandbox,
  type SandboxExit,
  type StartedSandbox,
} from '../sandbox-runner';
import { buildJobManifest, type JobManifestOptions, TRAINER_CONTAINER } from './job-manifest';
import { type CollectedFacts, readCollectedOutput } from './collected-output';
import { kubeClient } from './kube-client';
import { COLLECTOR_CONTAINER, COLLECTOR_PATHS } from './output-collector';

export interface KubernetesRunnerOptions extends Omit<JobManifestOptions, 'nowMs'> {
  /** Only Jobs labelled with this instance are listed (and so reconciled). */
  instance: string;
  pollMs: number;
}

function codeOf(error: unknown): number | undefined {
  if (error instanceof kubeClient().ApiException) return error.code;
  return undefined;
}

function infra(what: string, error: unknown): SandboxInfraError {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new SandboxInfraError(`kubernetes: ${what}: ${message}`, { cause: error });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A Kubernetes Job per run, in the sandbox namespace. Inputs travel on a shared claim; /output is a
 * size-limited memory-backed emptyDir that the pod's collector copies back to the claim (bounded).
 */
export class KubernetesSandboxRunner extends SandboxRunner {
  readonly kind = 'kubernetes';
  private readonly logger = new Logger(KubernetesSandboxRunner.name);
  private readonly cancelled = new Set<string>();
  private readonly batch: k8s.BatchV1Api;
  private readonly core: k8s.CoreV1Api;

  constructor(
    kubeConfig: k8s.KubeConfig,
    private readonly options: KubernetesRunnerOptions,
  ) {
    super();
    this.batch = kubeConfig.makeApiClient(kubeClient().BatchV1Api);
    this.core = kubeConfig.makeApiClient(kubeClient().CoreV1Api);
  }

  static fromConfig(config: KubernetesSandboxConfig, dataDir: string, instance: string): KubernetesSandboxRunner {
    const kc = new (kubeClient().KubeConfig)();
    if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
    else kc.loadFromDefault(); // in-cluster service account when running as a Deployment
    return new KubernetesSandboxRunner(kc, { ...config, dataDir, instance });
  }

  async start(spec: RunSpec): Promise<StartedSandbox> {
    const { namespace } = this.options;
    let body: k8s.V1Job;
    try {
      body = buildJobManifest(spec, { ...this.options, nowMs: Date.now() }) as k8s.V1Job;
    } catch (error) {
      throw infra('build Job manifest', error);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.batch.createNamespacedJob({ namespace, body });
        break;
      } catch (error) {
        // A Job of this name is a stale start of the same attempt: replace it.
        if (codeOf(error) === 409 && attempt < 20) {
          if (attempt === 0) await this.cleanup(spec.name);
          await sleep(Math.min(this.options.pollMs, 500));
          continue;
        }
        throw infra(`create Job ${spec.name}`, error);
      }
    }
    this.logger.log({ runId: spec.runId, job: spec.name, namespace }, 'sandbox Job created');
    return { ref: spec.name, imageDigest: null };
  }

  async wait(ref: string): Promise<SandboxExit> {
    const { namespace } = this.options;
    for (;;) {
      let job: k8s.V1Job;
      try {
        job = await this.batch.readNamespacedJob({ name: ref, namespace });
      } catch (error) {
        if (codeOf(error) === 404 && this.cancelled.delete(ref)) {
          return { exitCode: null, oomKilled: false, timedOut: false, cancelled: true, imageDigest: null };
        }
        throw infra(`read Job ${ref}`, error);
      }
      const done = (job.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
      if (done) return this.exitOf(ref, done);
      await sleep(this.options.pollMs);
    }
  }

  private async exitOf(ref: string, condition: k8s.V1JobCondition): Promise<SandboxExit> {
    const timedOut = condition.type === 'Failed' && condition.reason === 'DeadlineExceeded';
    const pod = await this.podOf(ref);
    const status = pod?.status?.containerStatuses?.find((c) => c.name === TRAINER_CONTAINER);
    const terminated = status?.state?.terminated ?? status?.lastState?.terminated;
    return {
      exitCode: terminated ? terminated.exitCode : null,
      oomKilled: terminated?.reason === 'OOMKilled',
      timedOut,
      cancelled: this.cancelled.delete(ref) && !timedOut,
      detail: condition.reason ? `${condition.type}: ${condition.reason}${condition.message ? ` (${condition.message})` : ''}` : undefined,
      imageDigest: status?.imageID || null,
    };
  }

  private async podOf(ref: string): Promise<k8s.V1Pod | undefined> {
    try {
      const pods = await this.core.listNamespacedPod({ namespace: this.options.namespace, labelSelector: `job-name=${ref}` });
      return pods.items[0];
    } catch (error) {
      throw infra(`list pods of ${ref}`, error);
    }
  }

  async collect(ref: string, request: CollectRequest): Promise<CollectedOutput> {
    const pod = await this.podOf(ref);
    let logSaved = false;
    if (pod?.metadata?.name) {
      let text: string;
      try {
        // limitBytes: the API server reads no more than the budget of the kubelet's stored log.
        text = await this.core.readNamespacedPodLog({
          name: pod.metadata.name,
          namespace: this.options.namespace,
          container: TRAINER_CONTAINER,
          limitBytes: request.logMaxBytes,
        });
      } catch (error) {
        throw infra(`logs of ${pod.metadata.name}`, error);
      }
      await fs.writeFile(request.logPath, tailBytes(Buffer.from(text), request.logMaxBytes));
      logSaved = true;
    }
    return { ...(await this.collectedOutput(ref, pod, request)), logSaved };
  }

  /**
   * What the pod's collector copied to the run's sub-path of the claim (output-collector.ts). A Job
   * stopped at its deadline or deleted never ran the collector: nothing to read. Any other Job whose
   * collector left no result lost it to the platform (node lost, collector failed): infra.
   */
  private async collectedOutput(ref: string, pod: k8s.V1Pod | undefined, request: CollectRequest): Promise<CollectedFacts> {
    const nothing: CollectedFacts = { model: { kind: 'missing' }, outputFull: false };
    let job: k8s.V1Job;
    try {
      job = await this.batch.readNamespacedJob({ name: ref, namespace: this.options.namespace });
    } catch (error) {
      if (codeOf(error) === 404) return nothing;
      throw infra(`read Job ${ref}`, error);
    }
    const mounts = job.spec?.template.spec?.containers.find((c) => c.name === COLLECTOR_CONTAINER)?.volumeMounts ?? [];
    const subPath = mounts.find((m) => m.mountPath === COLLECTOR_PATHS.collected)?.subPath;
    if (!subPath) throw infra(`Job ${ref}`, new Error('it has no output collector'));
    let facts: CollectedFacts | null;
    try {
      facts = await readCollectedOutput(path.join(this.options.dataDir, subPath), request.modelPath, request.modelMaxBytes);
    } catch (error) {
      throw infra(`output of ${ref}`, error);
    }
    if (facts) return facts;
    const ended = (job.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    if (ended?.reason === 'DeadlineExceeded') return nothing;
    const collector = pod?.status?.containerStatuses?.find((c) => c.name === COLLECTOR_CONTAINER)?.state?.terminated;
    const how = collector ? `exit ${collector.exitCode}${collector.reason ? ` (${collector.reason})` : ''}` : 'it did not run to its end';
    throw infra(`output of ${ref}`, new Error(`the output collector left no result: ${how}`));
  }

  async cancel(ref: string, graceSeconds: number): Promise<void> {
    this.cancelled.add(ref);
    try {
      // Deleting the Job's pods sends SIGTERM, then SIGKILL after the grace period.
      await this.core.deleteCollectionNamespacedPod({
        namespace: this.options.namespace,
        labelSelector: `job-name=${ref}`,
        gracePeriodSeconds: graceSeconds,
      });
      await this.batch.deleteNamespacedJob({ name: ref, namespace: this.options.namespace, propagationPolicy: 'Background' });
    } catch (error) {
      if (codeOf(error) === 404) return;
      throw infra(`cancel ${ref}`, error);
    }
  }

  async cleanup(ref: string): Promise<void> {
    try {
      await this.batch.deleteNamespacedJob({ name: ref, namespace: this.options.namespace, propagationPolicy: 'Background' });
    } catch (error) {
      if (codeOf(error) === 404) return;
      throw infra(`delete Job ${ref}`, error);
    }
  }

  async listManaged(): Promise<ManagedSandbox[]> {
    try {
      const jobs = await this.batch.listNamespacedJob({
        namespace: this.options.namespace,
        labelSelector: `${SANDBOX_LABELS.managed}=true,${SANDBOX_LABELS.instance}=${this.options.instance}`,
      });
      return jobs.items.map((job) => {
        const labels = job.metadata?.labels ?? {};
        const finished = (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
        return {
          ref: job.metadata?.name ?? '',
          runId: labels[SANDBOX_LABELS.runId] ?? '',
          attempt: Number(labels[SANDBOX_LABELS.attempt] ?? 0),
          running: !finished,
        };
      });
    } catch (error) {
      throw infra('list Jobs', error);
    }
  }
}
