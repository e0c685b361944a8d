import { logCleanupFailure } from '../../common/cleanup-failure';
import { Logger } from '@nestjs/common';
import Docker from 'dockerode';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import { demuxDockerLogs } from '../log-tail';
import { SANDBOX_LABELS, SANDBOX_PATHS, type RunSpec } from '../run-spec';
import { ENTRY_LOG_FILES, ENTRY_STATUS, joinEntryLog } from '../sandbox-entry';
import { SandboxErrorCode, SandboxInfraError } from '../sandbox.errors';
import {
  SandboxRunner,
  type CollectedOutput,
  type CollectRequest,
  type ManagedSandbox,
  type SandboxExit,
  type StartedSandbox,
} from '../sandbox-runner';
import { buildDockerCreateOptions, buildDockerExecOptions, EXEC_LABEL } from './docker-create-options';
import { extractFirstFile, readSmallFiles } from './tar-reader';

/** The Docker engine's HTTP status on a dockerode error (404: no such image or container). */
function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : undefined;
}

function infra(what: string, error: unknown, code = SandboxErrorCode.EngineFailed): SandboxInfraError {
  const message = error instanceof Error ? error.message : String(error);
  return new SandboxInfraError(`docker: ${what}: ${message}`, { cause: error, code });
}

/** The training command of a live sandbox (an exec beside the keeper process). */
interface RunningCommand {
  execId: string;
  /** Resolves with the entry's own stream (its status line) when the command has ended. */
  ended: Promise<string>;
  status: string;
  outputFull: boolean;
  /** Found running after a worker restart: no stream, and the engine's exit code for it is meaningless. */
  adopted?: boolean;
}

export interface DockerRunnerOptions {
  /** Seccomp profile (JSON text) applied to every sandbox; Docker's default profile when absent. */
  seccompProfile?: string;
}

/**
 * Single-node sandbox on a Docker engine (the default driver). The container holds the sandbox open
 * while the training command runs as an exec in it; /output and the log live on tmpfs volumes with
 * kernel limits and are read back through the engine before the container is removed.
 */
export class DockerSandboxRunner extends SandboxRunner {
  readonly kind = 'docker';
  private readonly logger = new Logger(DockerSandboxRunner.name);
  private readonly cancelled = new Set<string>();
  private readonly commands = new Map<string, RunningCommand>();

  /** instance: only sandboxes labelled with it are listed (and so reconciled) by this runner. */
  constructor(
    private readonly docker: Docker,
    private readonly instance: string,
    private readonly options: DockerRunnerOptions = {},
  ) {
    super();
  }

  static fromSocket(socketPath: string, instance: string, options: DockerRunnerOptions = {}): DockerSandboxRunner {
    return new DockerSandboxRunner(new Docker({ socketPath }), instance, options);
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
    const options = buildDockerCreateOptions(spec, { seccompProfile: this.options.seccompProfile });
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({ ...options, Image: imageId });
    } catch (error) {
      throw infra('create container', error);
    }
    try {
      await container.start();
      const exec = await container.exec(buildDockerExecOptions(spec));
      const stream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
      this.commands.set(container.id, { execId: exec.id, ended: this.watchStream(stream), outputFull: false, status: '' });
    } catch (error) {
      await container.remove({ force: true, v: true }).catch(logCleanupFailure(this.logger, 'removing a sandbox that did not start', { runId: spec.runId, containerId: container.id }));
      throw infra('start container', error);
    }
    this.logger.log({ runId: spec.runId, containerId: container.id, image: spec.image }, 'sandbox started');
    return { ref: container.id, imageDigest: digest ?? imageId };
  }

  /** The entry prints one status line; anything else on its stream is ignored (at most 4 KiB kept). */
  private watchStream(stream: Duplex): Promise<string> {
    return new Promise((resolve) => {
      let text = '';
      stream.on('data', (chunk: Buffer) => {
        if (text.length < 4096) text += chunk.toString('latin1');
      });
      const done = (): void => resolve(demuxDockerLogs(Buffer.from(text, 'latin1')).toString('latin1'));
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', done);
    });
  }

  /**
   * After a worker restart the exec's stream is gone (and the engine may no longer list the exec): the
   * command has ended once the entry's status line is in the log volume, or once the sandbox stopped.
   */
  private adoptCommand(container: Docker.Container, info: Docker.ContainerInspectInfo): RunningCommand | null {
    if (!info.State.Running) return null;
    const ended = (async (): Promise<string> => {
      for (;;) {
        const status = await this.statusFile(container);
        if (status) return status[0];
        const running = await container.inspect().then((i) => i.State.Running, () => false);
        if (!running) return '';
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    return { execId: '', ended, outputFull: false, status: '', adopted: true };
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
    const known = this.commands.get(ref);
    // After a restart, a command that already ended has left its status line in the log volume: read
    // it before anything (such as a deadline that passed meanwhile) can stop the sandbox.
    const left = known || !info.State.Running ? null : await this.statusFile(container);
    const command = known ?? (left ? { execId: '', ended: Promise.resolve(left[0]), status: '', outputFull: false, adopted: true } : this.adoptCommand(container, info));
    if (command) this.commands.set(ref, command);
    // The entry sends SIGTERM at the deadline; at deadline + grace (+1 s for the entry to save the log
    // tail) the whole sandbox is killed, whatever the script does.
    let killed = false;
    let killTimer: NodeJS.Timeout | undefined;
    const hardStop = new Promise<void>((resolve) => {
      if (!Number.isFinite(deadlineMs)) return;
      killTimer = setTimeout(() => {
        killed = true;
        container.kill({ signal: 'SIGKILL' }).catch(() => undefined).finally(resolve);
      }, Math.max(0, deadlineMs + (graceSeconds + 1) * 1000 - Date.now()));
    });
    let exitCode: number | null = null;
    let oomKilled = false;
    let entryTimedOut: boolean | null = null;
    try {
      if (command) {
        command.status = await Promise.race([command.ended, hardStop.then(() => command.ended)]);
        // The entry's status line from its stream; an adopted command has no stream, so the copy the
        // entry left in the log volume (the exec's own exit code is 126 once its stream was lost).
        const status = ENTRY_STATUS.exec(command.status) ?? (killed ? null : await this.statusFile(container));
        if (status) {
          exitCode = Number(status[1]);
          if (status[3] !== undefined) entryTimedOut = status[3] === '1';
        } else if (!command.adopted) {
          const state = await this.docker.getExec(command.execId).inspect().catch(() => null);
          exitCode = state && !state.Running ? state.ExitCode : null;
        }
        command.outputFull = status?.[2] === '1';
      }
      // SIGKILL (137) or no exit code: maybe the OOM killer, which the engine reports on the stopped container.
      if (killed || exitCode === null || exitCode === 137) {
        await container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
        await container.wait();
        info = await container.inspect();
        oomKilled = info.State.OOMKilled;
      }
    } catch (error) {
      throw infra(`wait ${ref}`, error);
    } finally {
      clearTimeout(killTimer);
    }
    const endedMs = Date.now();
    // The entry says whether it reached the deadline; without its word, ending after it counts.
    const timedOut = killed || (entryTimedOut ?? (Number.isFinite(deadlineMs) && endedMs >= deadlineMs && exitCode !== 0));
    const cancelled = this.cancelled.delete(ref) && !timedOut;
    return {
      exitCode,
      oomKilled,
      timedOut,
      cancelled,
      detail: command ? info.State.Error || undefined : 'the training command ended while no worker watched it',
      imageDigest: info.Image,
    };
  }

  async collect(ref: string, request: CollectRequest): Promise<CollectedOutput> {
    const container = this.docker.getContainer(ref);
    const outputFull = this.commands.get(ref)?.outputFull ?? false;
    this.commands.delete(ref);
    let model: CollectedOutput['model'] = { kind: 'missing' };
    let logSaved = false;
    // A stopped sandbox has lost its tmpfs volumes: nothing to read back.
    const running = await container.inspect().then((i) => i.State.Running, (error: unknown) => {
      throw infra(`inspect ${ref}`, error);
    });
    if (!running) return { outputFull, model, logSaved };
    try {
      const header = await this.archive(container, `${SANDBOX_PATHS.output}/model.onnx`, (stream) =>
        extractFirstFile(stream, request.modelPath, request.modelMaxBytes),
      );
      if (header) {
        model = header.type !== '0' ? { kind: 'not-a-file' } : header.size > request.modelMaxBytes ? { kind: 'too-large', bytes: header.size } : { kind: 'file', bytes: header.size };
      }
      const files = await this.archive(container, SANDBOX_PATHS.log, (stream) => readSmallFiles(stream, request.logMaxBytes + 64));
      if (files) {
        const name = (f: string): string => `${path.basename(SANDBOX_PATHS.log)}/${f}`;
        const head = files.get(name(ENTRY_LOG_FILES.head)) ?? Buffer.alloc(0);
        await fs.writeFile(request.logPath, joinEntryLog(head, files.get(name(ENTRY_LOG_FILES.tail)) ?? null, request.logMaxBytes));
        logSaved = true;
      }
    } catch (error) {
      throw infra(`copy output of ${ref}`, error);
    }
    return { outputFull, model, logSaved };
  }

  private async statusFile(container: Docker.Container): Promise<RegExpExecArray | null> {
    const at = `${SANDBOX_PATHS.log}/${ENTRY_LOG_FILES.status}`;
    const files = await this.archive(container, at, (stream) => readSmallFiles(stream, 256)).catch(() => null);
    const text = files?.get(ENTRY_LOG_FILES.status)?.toString('latin1') ?? '';
    return ENTRY_STATUS.exec(text);
  }

  /**
   * After a restart: a sandbox whose training command never started (the worker died between creating
   * it and starting the exec; the entry writes its `started` marker first thing) gets the command now,
   * from the exec options recorded on it, so the attempt keeps its one container.
   */
  override async ensureCommandStarted(ref: string): Promise<void> {
    const container = this.docker.getContainer(ref);
    try {
      const info = await container.inspect();
      if (!info.State.Running || this.commands.has(ref)) return;
      const marker = await this.archive(container, `${SANDBOX_PATHS.log}/${ENTRY_LOG_FILES.started}`, async (stream) => {
        stream.resume();
        return true;
      });
      const options = info.Config.Labels?.[EXEC_LABEL];
      if (marker || !options) return;
      const exec = await container.exec(JSON.parse(options) as ReturnType<typeof buildDockerExecOptions>);
      const stream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
      this.commands.set(ref, { execId: exec.id, ended: this.watchStream(stream), outputFull: false, status: '' });
      this.logger.log({ containerId: ref }, 'started the training command a previous worker never started');
    } catch (error) {
      throw infra(`resume ${ref}`, error);
    }
  }

  /** Reads one path through the archive endpoint; null when it does not exist. */
  private async archive<T>(container: Docker.Container, at: string, read: (stream: Readable) => Promise<T>): Promise<T | null> {
    let stream: Readable;
    try {
      stream = (await container.getArchive({ path: at })) as unknown as Readable;
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
    return read(stream);
  }

  async cancel(ref: string, graceSeconds: number): Promise<void> {
    this.cancelled.add(ref);
    try {
      // The keeper is PID 1's only child: stopping the container ends the training command with it.
      await this.docker.getContainer(ref).stop({ t: graceSeconds });
    } catch (error) {
      const status = statusOf(error);
      if (status === 304 || status === 404) return; // already stopped or gone
      throw infra(`stop ${ref}`, error);
    }
  }

  async cleanup(ref: string): Promise<void> {
    this.commands.delete(ref);
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
      this.logger.warn({ name }, 'removed stale sandbox container');
    } catch (error) {
      if (statusOf(error) !== 404) throw infra(`remove stale ${name}`, error);
    }
  }
}
