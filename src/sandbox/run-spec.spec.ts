import { buildDockerCreateOptions, buildDockerExecOptions } from './docker/docker-create-options';
import { buildJobManifest, claimSubPath } from './kubernetes/job-manifest';
import { buildRunSpec, entrypointCommand, sandboxName, SANDBOX_LABELS } from './run-spec';

const spec = (gpus = 0) =>
  buildRunSpec({
    instance: 'test',
    runId: 'Run_42/x',
    attempt: 2,
    tournamentId: 't1',
    image: 'crucible/trainer-cpu:1',
    entrypoint: 'train.py',
    mounts: { taskDir: '/data/runs/r/task', trainDir: '/data/tasks/t/train', codeDir: '/data/runs/r/code', outputDir: '/data/runs/r/output' },
    limits: { memoryMb: 1024, cpus: 1.5, pidsLimit: 128, gpus, scratchMb: 256, maxFiles: 4096, outputMaxBytes: 10 << 20, logMaxBytes: 256 << 10, wallSeconds: 600, graceSeconds: 10 },
    startedAtMs: 1_000_000,
  });

describe('run spec', () => {
  it('names are engine-safe and stable per attempt', () => {
    expect(sandboxName('Run_42/x', 2)).toBe('crucible-run-run-42-x-a2');
    expect(sandboxName('x'.repeat(100), 1).length).toBeLessThanOrEqual(63);
  });
  it('maps entrypoints', () => {
    expect(entrypointCommand('train.py')).toEqual(['python3', 'train.py']);
    expect(entrypointCommand('train.sh')).toEqual(['/bin/sh', 'train.sh']);
    expect(entrypointCommand(['python3', '-u', 'x.py'])).toEqual(['python3', '-u', 'x.py']);
  });
  it('records the absolute deadline in env and labels', () => {
    const s = spec();
    expect(s.deadlineMs).toBe(1_600_000);
    expect(s.env.CRUCIBLE_DEADLINE).toBe('1600');
    expect(s.labels[SANDBOX_LABELS.deadline]).toBe('1600000');
    expect(s.user).toEqual({ uid: 1000, gid: 1000 });
    expect(s.labels[SANDBOX_LABELS.instance]).toBe('test');
  });
});

describe('docker create options', () => {
  it('applies every hardening flag; the container only holds the sandbox open, as another user', () => {
    const o = buildDockerCreateOptions(spec(), { seccompProfile: '{"defaultAction":"SCMP_ACT_ALLOW"}' });
    expect(o.User).toBe('65534:65534');
    expect(o.Cmd).toEqual(['sleep', 'infinity']);
    expect(o.NetworkDisabled).toBe(true);
    expect(o.HostConfig).toMatchObject({
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true', 'seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'],
      Privileged: false,
      Init: true,
      Memory: 1024 << 20,
      MemorySwap: 1024 << 20,
      PidsLimit: 128,
      NanoCpus: 1.5e9,
      DeviceRequests: [],
      LogConfig: { Type: 'none', Config: {} },
    });
    expect(buildDockerCreateOptions(spec()).HostConfig.SecurityOpt).toEqual(['no-new-privileges:true']);
    expect(o.HostConfig.Binds).toEqual(['/data/runs/r/task:/task:ro', '/data/tasks/t/train:/data/train:ro', '/data/runs/r/code:/workspace:ro']);
    expect(o.HostConfig.Tmpfs['/tmp']).toBe('rw,nosuid,nodev,size=256m,nr_inodes=4096,mode=1777');
    // /output: 10 MiB = 10485760 bytes and 4096 inodes, owned by the miner's user; the log: 2 * 256 KiB + 64 KiB.
    expect(o.HostConfig.Mounts.map((m) => [m.Target, m.Source, m.VolumeOptions.DriverConfig.Options.o])).toEqual([
      ['/output', '', 'size=10485760,nr_inodes=4096,uid=1000,gid=1000,mode=0700,nosuid,nodev'],
      ['/log', '', 'size=589824,nr_inodes=16,uid=1000,gid=1000,mode=0700,nosuid,nodev,noexec'],
    ]);
  });
  it('runs the training command as an exec under the bounded-log entry, as the miner', () => {
    const e = buildDockerExecOptions(spec());
    expect(e).toMatchObject({ User: '1000:1000', WorkingDir: '/workspace', Privileged: false, Tty: false });
    expect(e.Cmd.slice(0, 4)).toEqual(['python3', '-I', '-S', '-c']);
    // log dir, half of the 256 KiB budget, the output dir, then the command itself.
    expect(e.Cmd.slice(5)).toEqual(['/log', String(128 << 10), '/output', 'python3', 'train.py']);
  });
  it('requests GPUs through DeviceRequests', () => {
    expect(buildDockerCreateOptions(spec(2)).HostConfig.DeviceRequests).toEqual([{ Driver: '', Count: 2, Capabilities: [['gpu']] }]);
  });
});

describe('kubernetes Job manifest', () => {
  const options = {
    namespace: 'sandbox',
    artifactVolumeClaim: 'artifacts',
    dataDir: '/data',
    runtimeClassName: 'gvisor',
    nodeSelector: { pool: 'gpu' },
    tolerations: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }, { key: 'dedicated', value: 'train', effect: 'NoExecute' }],
    jobTtlSeconds: 3600,
    nowMs: 1_000_000,
  };
  it('is a hardened, non-retrying Job with the deadline and GPU limits', () => {
    const job = buildJobManifest(spec(1), options);
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 3600 });
    const pod = job.spec.template.spec;
    expect(pod).toMatchObject({
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      runtimeClassName: 'gvisor',
      nodeSelector: { pool: 'gpu' },
      terminationGracePeriodSeconds: 10,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    });
    expect(pod.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'dedicated', operator: 'Equal', value: 'train', effect: 'NoExecute' },
    ]);
    expect(pod.hostUsers).toBeUndefined(); // user namespaces only when configured
    expect(buildJobManifest(spec(1), { ...options, userNamespaces: true }).spec.template.spec.hostUsers).toBe(false);
    const [c, collector] = pod.containers;
    // The lock wrapper (the collector waits for it), then the pids limit, then the command.
    expect(c.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(c.command.slice(3)).toEqual(['/run/crucible/trainer.lock', 'prlimit', `--nproc=${spec(1).limits.pidsLimit}`, '--', 'python3', 'train.py']);
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(c.resources.limits).toMatchObject({ memory: '1024Mi', cpu: '1500m', 'nvidia.com/gpu': '1' });
    expect(c.volumeMounts.filter((m) => m.name === 'artifacts')).toEqual([
      { name: 'artifacts', mountPath: '/task', subPath: 'runs/r/task', readOnly: true },
      { name: 'artifacts', mountPath: '/data/train', subPath: 'tasks/t/train', readOnly: true },
      { name: 'artifacts', mountPath: '/workspace', subPath: 'runs/r/code', readOnly: true },
    ]);
    expect(c.volumeMounts.find((m) => m.mountPath === '/output')).toEqual({ name: 'output', mountPath: '/output', readOnly: false });
    // /output: a memory-backed emptyDir of 10 MiB = 10485760 bytes (the output limit).
    expect(pod.volumes.find((v) => v.name === 'output')).toEqual({ name: 'output', emptyDir: { medium: 'Memory', sizeLimit: '10485760' } });
    // The collector, as the miner's uid in the same hardened context, is the only one that writes the claim.
    expect(collector.name).toBe('collector');
    expect(collector.command.slice(5)).toEqual(['/output', '/collected', '/run/crucible/trainer.lock', '10485760']);
    expect(collector.securityContext).toEqual(c.securityContext);
    expect(collector.resources.limits).toEqual({ cpu: '100m', memory: '64Mi', 'ephemeral-storage': '16Mi' });
    expect(collector.volumeMounts).toEqual([
      { name: 'output', mountPath: '/output', readOnly: false },
      { name: 'lock', mountPath: '/run/crucible', readOnly: true },
      { name: 'artifacts', mountPath: '/collected', subPath: 'runs/r/output', readOnly: false },
    ]);
  });
  it('refuses host paths outside the shared data dir', () => {
    expect(() => claimSubPath('/data', '/etc')).toThrow(/not inside the data dir/);
    expect(() => claimSubPath('/data', '/data')).toThrow();
  });
});
