import { Logger } from '@nestjs/common';
import Docker from 'dockerode';
import * as fs from 'node:fs/promises';
import { SANDBOX_LABELS, type RunSpec } from '../run-spec';
import { demuxDockerLogs, tailBytes } from '../log-tail';
import {
  SandboxErrorCode,
  SandboxInfraError,
  SandboxRunner,
  type ManagedSandbox,
  type SandboxExit,
  type StartedSandbox,
} from '../sandbox-runner';
import { buildDockerCreateOptions } from './docker-create-options';

interface EngineError {
  statusCode?: number;
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as EngineError).statusCode : undefined;
}

function infra(what: string, error: unknown, code = SandboxErrorCode.EngineFailed): SandboxInfraError {
  const message = error instanceof Error ? error.message : String(error);
  return new SandboxInfraError(`docker: ${what}: ${message}`, { cause: error, code });
}

/** Single-node sandbox on a Docker engine (the default driver). */
export class DockerSandboxRunner extends SandboxRunner {
  readonly kind = 'docker';
  private readonly logger = new Logger(DockerSandboxRunner.name);
  private readonly cancelled = new Set<string>();

  /** instance: only sandboxes labelled with it are listed (and so reconciled) by this runner. */
  constructor(
    private readonly docker: Docker,
    private readonly instance: string,
  ) {
    super();
  }

  static fromSocket(socketPath: string, instance: string): DockerSandboxRunner {
    return new DockerSandboxRunner(new Docker({ socketPath }), instance);
  }

  async start(spec: RunSpec): Promise<StartedSandbox> {
    let imageId: string;
    let digest: string | undefined;
    try {
      const image = await this.docker.getImage(spec.image).inspect();
      imageId = image.Id;
      digest = image.RepoDigests?.[0];
    } catch (error) {
      const code = statusOf(error) === 404 ? SandboxErrorCode.ImageMissing : SandboxErrorCode.EngineFailed;
      throw infra(`image ${spec.image} is not available (build it with scripts/build-trainer-image.sh)`, error, code);
    }
    // A container of this name is a stale start of the same attempt (crash before it was recorded).
    await this.removeIfExists(spec.name);
    const options = buildDockerCreateOptions(spec);
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({ ...options, Image: imageId });
    } catch (error) {
      throw infra('create container', error);
    }
    try {
      await container.start();
    } catch (error) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw infra('start container', error);
    }
    this.logger.log({ msg: 'sandbox started', runId: spec.runId, containerId: container.id, image: spec.image });
    return { ref: container.id, imageDigest: digest ?? imageId };
  }

  async wait(ref: string): Promise<SandboxExit> {
    const container = this.docker.getContainer(ref);
    let info: Docker.ContainerInspectInfo;
    try {
      info = await container.inspect();
    } catch (error) {
      throw infra(`inspect ${ref}`, error);
    }
    const deadlineMs = Number(info.Config.Labels?.[SANDBOX_LABELS.deadline] ?? NaN);
    const graceSeconds = Number(info.Config.Labels?.[SANDBOX_LABELS.grace] ?? 10);
    let firedDeadline = false;
    let termTimer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    if (info.State.Running && Number.isFinite(deadlineMs)) {
      const onDeadline = (): void => {
        firedDeadline = true;
        container.kill({ signal: 'SIGTERM' }).catch(() => undefined);
        killTimer = setTimeout(() => void container.kill({ signal: 'SIGKILL' }).catch(() => undefined), graceSeconds * 1000);
      };
      termTimer = setTimeout(onDeadline, Math.max(0, deadlineMs - Date.now()));
    }
    try {
      if (info.State.Running || info.State.Status === 'created') await container.wait();
      info = await container.inspect();
    } catch (error) {
      throw infra(`wait ${ref}`, error);
    } finally {
      clearTimeout(termTimer);
      clearTimeout(killTimer);
    }
    const finishedMs = Date.parse(info.State.FinishedAt);
    const exitCode = info.State.ExitCode;
    // After adoption the deadline may have fired in a previous process: judge by the finish time.
    const timedOut = firedDeadline || (Number.isFinite(deadlineMs) && finishedMs >= deadlineMs && exitCode !== 0);
    const cancelled = this.cancelled.delete(ref) && !firedDeadline;
    return {
      exitCode,
      oomKilled: info.State.OOMKilled,
      timedOut,
      cancelled,
      detail: info.State.Error || undefined,
      imageDigest: info.Image,
    };
  }

  async logs(ref: string, destPath: string, maxBytes: number): Promise<void> {
    let raw: Buffer;
    try {
      raw = await this.docker.getContainer(ref).logs({ stdout: true, stderr: true, follow: false });
    } catch (error) {
      throw infra(`logs ${ref}`, error);
    }
    await fs.writeFile(destPath, tailBytes(demuxDockerLogs(raw), maxBytes));
  }

  async cancel(ref: string, graceSeconds: number): Promise<void> {
    this.cancelled.add(ref);
    try {
      await this.docker.getContainer(ref).stop({ t: graceSeconds });
    } catch (error) {
      const status = statusOf(error);
      if (status === 304 || status === 404) return; // already stopped or gone
      throw infra(`stop ${ref}`, error);
    }
  }

  async cleanup(ref: string): Promise<void> {
    try {
      await this.docker.getContainer(ref).remove({ force: true, v: true });
    } catch (error) {
      if (statusOf(error) === 404) return;
      // A removal already in progress is fine; anything else is an engine problem.
      if (statusOf(error) === 409) return;
      throw infra(`remove ${ref}`, error);
    }
  }

  async listManaged(): Promise<ManagedSandbox[]> {
    try {
      const list = await this.docker.listContainers({
        all: true,
        filters: JSON.stringify({ label: [`${SANDBOX_LABELS.managed}=true`, `${SANDBOX_LABELS.instance}=${this.instance}`] }),
      });
      return list.map((c) => ({
        ref: c.Id,
        runId: c.Labels[SANDBOX_LABELS.runId] ?? '',
        attempt: Number(c.Labels[SANDBOX_LABELS.attempt] ?? 0),
        running: c.State === 'running' || c.State === 'created' || c.State === 'restarting',
      }));
    } catch (error) {
      throw infra('list containers', error);
    }
  }

  /** Reachability check for startup and health. */
  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (error) {
      throw infra('ping', error);
    }
  }

  private async removeIfExists(name: string): Promise<void> {
    try {
      await this.docker.getContainer(name).remove({ force: true, v: true });
      this.logger.warn({ msg: 'removed stale sandbox container', name });
    } catch (error) {
      if (statusOf(error) !== 404) throw infra(`remove stale ${name}`, error);
    }
  }
}
