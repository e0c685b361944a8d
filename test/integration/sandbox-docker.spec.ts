import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import type { TrainingResult } from '../../src/sandbox/training-executor';
import { SandboxReconciler } from '../../src/sandbox/sandbox-reconciler';
import { managedContainers, requireDocker } from '../support/docker-sandbox';
import { makeDockerExecutor, makeJob } from '../support/docker-executor';
import { makeMinerRepo, makeRepo, makeTrainDir, SAMPLE_TEXT } from '../support/git-fixtures';

/** Run ids of this suite, unique per process: other suites may run sandboxes on the same engine. */
const RUN_PREFIX = `sbx${process.pid}-`;
const INSTANCE = `test-sandbox-docker-${process.pid}`;
const mine = async (docker: Docker): Promise<Docker.ContainerInfo[]> =>
  (await managedContainers(docker)).filter((c) => c.Labels['crucible.instance'] === INSTANCE);

/** Hash of every file under dir except the given subtrees (what "host untouched" means here). */
function snapshot(dir: string, skip: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (skip.some((s) => full === s || full.startsWith(s + path.sep))) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out[full] = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
      else out[full] = `link:${fs.readlinkSync(full)}`;
    }
  };
  walk(dir);
  return out;
}

function hostProcesses(): string {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return '';
      }
    })
    .join('\n');
}

describe('sandbox on Docker: examples end in their typed outcomes, host untouched', () => {
  let docker: Docker;
  let root: string;
  let trainDir: string;
  let canary: string;
  let probeConnections = 0;
  let probe: net.Server;
  let before: Record<string, string>;
  const results: Record<string, TrainingResult> = {};
  let volumesBefore: Set<string>;

  beforeAll(async () => {
    docker = await requireDocker();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-sandbox-'));
    trainDir = makeTrainDir(path.join(root, 'train'), SAMPLE_TEXT, 32);
    canary = path.join(root, 'host-secret.txt');
    fs.writeFileSync(canary, 'hidden test split lives here');
    probe = net.createServer((socket) => {
      probeConnections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => probe.listen(0, '0.0.0.0', resolve));
    const probePort = (probe.address() as net.AddressInfo).port;
    const hostIps = Object.values(os.networkInterfaces())
      .flat()
      .filter((i): i is os.NetworkInterfaceInfo => !!i && i.family === 'IPv4')
      .map((i) => i.address);

    const { executor } = makeDockerExecutor(root, INSTANCE);
    volumesBefore = new Set(((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name));
    const names = [
      'lm-small', 'exit-1', 'overrun', 'oom', 'forkbomb', 'network', 'escape', 'huge-output',
      'hidden-output', 'fast-output', 'inode-flood', 'unreadable-output', 'stdout-flood', 'host-probe',
    ];
    const repos = Object.fromEntries(names.map((n) => [n, makeMinerRepo(n, root)]));
    before = snapshot(root, [path.join(root, 'runs'), path.join(root, 'repo-cache')]);
    const hints: Record<string, Record<string, unknown>> = {
      'lm-small': { steps: 40, width: 32, seqLen: 32, batchSize: 16 },
      network: { probeHosts: ['127.0.0.1', ...hostIps], probePort },
      escape: { hostPaths: [canary, trainDir, '/var/run/docker.sock'] },
    };
    const time: Record<string, number> = { overrun: 4 };
    await Promise.all(
      names.map(async (name) => {
        const job = makeJob(`${RUN_PREFIX}ex-${name}`, repos[name], trainDir, {
          timeLimitSeconds: time[name] ?? 90,
          taskSpec: { type: 'causal-lm', hyperparameters: hints[name] ?? {} },
        });
        results[name] = await executor.execute(job, { onStarted: async () => undefined });
      }),
    );
  }, 240_000);

  afterAll(async () => {
    probe?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('lm-small trains and leaves a model.onnx that onnxruntime runs with the causal-lm contract', async () => {
    const r = results['lm-small'];
    expect(r).toMatchObject({ outcome: 'succeeded', exitCode: 0, runnerKind: 'docker' });
    const model = fs.readFileSync(r.modelPath as string);
    expect(model.length).toBeGreaterThan(10_000);
    // ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08.
    expect(model[0]).toBe(0x08);
    expect(model.includes(Buffer.from('input_ids'))).toBe(true);
    expect(model.includes(Buffer.from('logits'))).toBe(true);
    expect(r.imageDigest).toMatch(/^sha256:/);
    expect(fs.readFileSync(r.logPath as string, 'utf8')).toContain('done: loss');
    // Dynamic batch and sequence axes: a shape the exporter never saw must work. Run in a child
    // process: onnxruntime's typed-array checks fail across Jest's VM realm.
    const script = `
      const ort = require('onnxruntime-node');
      (async () => {
        const s = await ort.InferenceSession.create(process.argv[1]);
        const ids = BigInt64Array.from({ length: 3 * 17 }, (_, i) => BigInt(65 + (i % 26)));
        const out = await s.run({ input_ids: new ort.Tensor('int64', ids, [3, 17]) });
        const l = out.logits;
        console.log(JSON.stringify({ inputs: s.inputNames, outputs: s.outputNames, dims: l.dims, type: l.type, finite: l.data.every(Number.isFinite) }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const child = spawnSync(process.execPath, ['-e', script, r.modelPath as string], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({ inputs: ['input_ids'], outputs: ['logits'], dims: [3, 17, 256], type: 'float32', finite: true });
  });

  it.each([
    ['exit-1', 'miner_failed', /exited with code 1/],
    ['overrun', 'timed_out', /time limit of 4 s/],
    ['oom', 'oom_killed', /out-of-memory/],
    ['forkbomb', 'miner_failed', /exited with code 3/],
    ['network', 'miner_failed', /exited with code 2/],
    ['escape', 'miner_failed', /exited with code 5/],
    ['huge-output', 'output_invalid', /\/output reached its limit \(8\.0 MB or 512 files\) and the script exited with code 9/],
    ['hidden-output', 'output_invalid', /\/output reached its limit/],
    ['fast-output', 'output_invalid', /\/output reached its limit .* code 4/],
    ['inode-flood', 'output_invalid', /\/output reached its limit .* code 1/],
    ['host-probe', 'miner_failed', /exited with code 6/],
    ['stdout-flood', 'output_invalid', /left no \/output\/model.onnx/],
  ])('%s ends %s', (name, outcome, reason) => {
    expect(results[name].outcome).toBe(outcome);
    expect(results[name].reason).toMatch(reason);
    expect(results[name].modelPath).toBeNull();
  });

  it('limits are enforced by the kernel: 1 GiB written at once and 512 files stop at the limit without a watcher', () => {
    // The 1 GiB write itself failed (the script exits 4 only then): the filesystem refused it.
    expect(fs.readFileSync(results['fast-output'].logPath as string, 'utf8')).toMatch(/error writing 'standard output': No space left on device/);
    expect(fs.readFileSync(results['inode-flood'].logPath as string, 'utf8')).toMatch(/created (\d+) files: No space left on device/);
    // 512 inodes, one of them the root directory: at most 511 files fit.
    const created = Number(/created (\d+) files/.exec(fs.readFileSync(results['inode-flood'].logPath as string, 'utf8'))?.[1]);
    expect(created).toBeLessThanOrEqual(511);
    expect(created).toBeGreaterThan(400);
  });

  it('output the worker could not read by mode is read through the engine: mode 000 model in a mode 000 /output', () => {
    const r = results['unreadable-output'];
    expect(r.outcome).toBe('succeeded');
    expect(fs.readFileSync(r.modelPath as string)).toEqual(Buffer.from('\x08\x07crucible-unreadable-model', 'latin1'));
  });

  it('a stdout flood is cut at the source: the log keeps head and tail within the budget', () => {
    const log = fs.readFileSync(results['stdout-flood'].logPath as string);
    // 64 KiB budget plus the one line that says how much was dropped.
    expect(log.length).toBeLessThanOrEqual(64 * 1024 + 100);
    const text = log.toString('latin1');
    expect(text.startsWith('FLOOD-START\n')).toBe(true);
    expect(text.trimEnd().endsWith('FLOOD-END')).toBe(true);
    // 12 bytes of "FLOOD-START\n", 200000000 x's, "\n", "FLOOD-END\n" = 200000023 bytes, 65536 kept.
    expect(text).toContain(`[crucible: ${200_000_023 - 65_536} bytes of output dropped here]`);
  });

  it('the probe sees no host path or id, cannot use io_uring or new namespaces, finds no setuid binary', () => {
    const log = fs.readFileSync(results['host-probe'].logPath as string, 'utf8');
    const mountinfo = log.slice(log.indexOf('MOUNTINFO-BEGIN'), log.indexOf('MOUNTINFO-END'));
    expect(mountinfo).toContain(' /output ');
    // Mount sources are neutral per-run digests: no run, task or tournament id, not the split's own dir.
    expect(mountinfo).not.toContain(RUN_PREFIX);
    expect(mountinfo).not.toContain('task-test');
    expect(mountinfo).not.toContain('tour-test');
    expect(mountinfo).not.toContain(trainDir);
    expect(log).toContain('io_uring_setup blocked errno=1');
    expect(log).toContain('unshare blocked errno=1');
    expect(log).toContain('setuid []');
    expect(log).toMatch(/task-keys \["hyperparameters", "type"\]/);
  });

  it('a run leaves only its log (and a model when it succeeded) on the host, and no volume in the engine', async () => {
    const left: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, e.name);
        if (e.isDirectory()) walk(full);
        else left.push(path.basename(full));
      }
    };
    walk(path.join(root, 'runs'));
    expect(new Set(left)).toEqual(new Set(['logs.txt', 'model.onnx']));
    expect(left.filter((f) => f === 'model.onnx')).toHaveLength(2); // lm-small, unreadable-output
    // This suite's volumes carry its output size (8 MiB); other processes may run sandboxes meanwhile.
    const volumes = ((await docker.listVolumes()).Volumes ?? []).filter(
      (v) => !volumesBefore.has(v.Name) && String(v.Options?.o ?? '').startsWith(`size=${8 * 1024 * 1024},`),
    );
    expect(volumes).toEqual([]);
  });

  it('the fork bomb was stopped by the pids limit', () => {
    expect(fs.readFileSync(results.forkbomb.logPath as string, 'utf8')).toMatch(/fork refused after \d+ children/);
  });

  it('no network was reached', () => {
    const log = fs.readFileSync(results.network.logPath as string, 'utf8');
    expect(log).not.toContain('REACHED');
    expect(log).toContain('blocked 1.1.1.1:53');
    expect(probeConnections).toBe(0);
  });

  it('nothing outside the run output dirs changed and nothing escaped', () => {
    expect(snapshot(root, [path.join(root, 'runs'), path.join(root, 'repo-cache')])).toEqual(before);
    const log = fs.readFileSync(results.escape.logPath as string, 'utf8');
    expect(log).not.toContain('ESCAPED');
    expect(log).toContain('blocked write /data/train/tokens.bin');
  });

  it('no container or process is left behind', async () => {
    expect(await mine(docker)).toEqual([]);
    const procs = hostProcesses();
    expect(procs).not.toContain('forkbomb_crucible');
    expect(procs).not.toContain('overrun: sleeping');
  });

  it('a worker killed mid-run: the restarted worker adopts the container and finishes the run', async () => {
    const repo = makeRepo(path.join(root, 'repos', 'slow'), {
      'crucible.json': JSON.stringify({ entrypoint: 'train.sh', taskTypes: ['causal-lm'] }),
      'train.sh': 'sleep 4\nprintf "\\010\\007 pretend model" > /output/model.onnx\necho slow-done\n',
    });
    const job = makeJob(`${RUN_PREFIX}adopt-1`, repo, trainDir, { timeLimitSeconds: 60 });
    const child = spawn(
      process.execPath,
      ['-r', path.resolve(__dirname, '../support/ts-register.js'), path.resolve(__dirname, '../support/docker-worker.ts'), root, INSTANCE, JSON.stringify(job)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const ref = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const m = /STARTED docker (\w+)/.exec(buffered);
        if (m) resolve(m[1]);
      });
      child.once('exit', () => reject(new Error(`worker exited before starting: ${buffered}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect((await docker.getContainer(ref).inspect()).State.Running).toBe(true);

    // The restarted worker: reconcile (DB says adopt-1 is live), then adopt.
    const { executor, runner } = makeDockerExecutor(root, INSTANCE);
    const reconciler = new SandboxReconciler(runner);
    const plan = await reconciler.reconcile(new Set([job.runId]));
    expect(plan.adopt).toEqual([expect.objectContaining({ runId: job.runId, ref })]);
    expect(plan.missing).toEqual([]);
    expect(plan.removed).toEqual([]);
    const result = await executor.adopt(job, 'docker', ref);
    expect(result).toMatchObject({ outcome: 'succeeded', runnerRef: ref, exitCode: 0 });
    expect(fs.readFileSync(result.logPath as string, 'utf8')).toContain('slow-done');
    expect(await mine(docker)).toEqual([]);
  }, 60_000);

  it.each([
    ['the engine is unreachable', { socketPath: '/nonexistent/docker.sock' }, /docker/],
    ['the image is missing', { cpuImage: 'crucible/no-such-image:0' }, /image crucible\/no-such-image:0 is not available/],
  ])('ends infra_failed (free retry) when %s', async (_what, overrides, reason) => {
    const { executor } = makeDockerExecutor(root, INSTANCE, overrides);
    const repo = makeMinerRepo('exit-1', path.join(root, `infra-${Object.keys(overrides)[0]}`));
    const result = await executor.execute(makeJob(`${RUN_PREFIX}infra`, repo, trainDir), { onStarted: async () => undefined });
    expect(result).toMatchObject({ outcome: 'infra_failed', modelPath: null });
    expect(result.reason).toMatch(reason);
  });

  it('the end of a run is handed over (onEnded) while its sandbox still exists, and the sandbox goes only after', async () => {
    const { executor } = makeDockerExecutor(root, INSTANCE);
    const repo = makeRepo(path.join(root, 'repos', 'ended'), {
      'crucible.json': JSON.stringify({ entrypoint: 'train.sh', taskTypes: ['causal-lm'] }),
      'train.sh': 'printf "\\010\\007 pretend model" > /output/model.onnx\n',
    });
    let seen: { outcome: string; containerExisted: boolean; modelOnHost: boolean } | null = null;
    const result = await executor.execute(makeJob(`${RUN_PREFIX}ended`, repo, trainDir), {
      onStarted: async () => undefined,
      onEnded: async (end) => {
        const containerExisted = await docker.getContainer(end.runnerRef as string).inspect().then(() => true, () => false);
        seen = { outcome: end.outcome, containerExisted, modelOnHost: fs.existsSync(end.modelPath as string) };
      },
    });
    expect(seen).toEqual({ outcome: 'succeeded', containerExisted: true, modelOnHost: true });
    expect(await docker.getContainer(result.runnerRef as string).inspect().then(() => 'still there', () => 'removed')).toBe('removed');
  });

  it('a missing training split is infra_failed, and no host dir is created for it', async () => {
    const { executor } = makeDockerExecutor(root, INSTANCE);
    const missing = path.join(root, 'no-such-train-dir');
    const result = await executor.execute(makeJob(`${RUN_PREFIX}notrain`, makeMinerRepo('exit-1', path.join(root, 'nt')), missing), {
      onStarted: async () => undefined,
    });
    expect(result.outcome).toBe('infra_failed');
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('the reconciler removes containers of runs the database no longer considers live', async () => {
    const repo = makeRepo(path.join(root, 'repos', 'orphan'), {
      'crucible.json': JSON.stringify({ entrypoint: 'train.sh', taskTypes: ['causal-lm'] }),
      'train.sh': 'sleep 30\n',
    });
    const { executor, runner } = makeDockerExecutor(root, INSTANCE);
    let started = '';
    const orphan = makeJob(`${RUN_PREFIX}orphan-1`, repo, trainDir);
    const running = executor.execute(orphan, {
      onStarted: async (_kind, ref) => {
        started = ref;
      },
    });
    while (!started) await new Promise((r) => setTimeout(r, 100));
    const plan = await new SandboxReconciler(runner).reconcile(new Set(['run-without-sandbox']));
    expect(plan.missing).toEqual(['run-without-sandbox']);
    expect(plan.removed).toEqual([expect.objectContaining({ runId: orphan.runId, ref: started })]);
    const result = await running;
    expect(result.outcome).toBe('infra_failed');
    expect(await mine(docker)).toEqual([]);
  }, 60_000);
});
