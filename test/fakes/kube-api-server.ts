import type { V1Container, V1ContainerStatus, V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A small fake Kubernetes API server on 127.0.0.1: the REST paths and Status errors the Job adapter
 * uses (batch/v1 Jobs, v1 Pods, pod logs), with a scripted "kubelet" that plays the trainer's command
 * (the part after prlimit's `--`): "exit N" ends with exit code N, "OOM" ends OOMKilled, "sleep N"
 * runs N s (Job deadline and pod deletion apply), "echo TEXT" lines become the pod log, and
 * "head -c N /dev/urandom > /output/NAME" writes N bytes to the pod's /output. No container runs here.
 * With claimDir (the host dir standing for the claim), the pod's other container, the output collector,
 * really runs once the trainer has ended: its own command as a host process, each mount path in its
 * arguments replaced by a host dir (emptyDirs: a temp dir per pod; the claim: claimDir/subPath). The
 * kubelet's part is played: the lock file the trainer's wrapper makes (here unlocked, as after the
 * trainer's end), the tmpfs (here a plain dir: no size limit), and the statuses.
 */
interface FakePod {
  pod: V1Pod;
  log: string;
  timers: NodeJS.Timeout[];
  /** Host dirs standing for the pod's emptyDir volumes, by volume name. */
  emptyDirs: Map<string, string>;
  collector?: ChildProcess;
}

export interface FakeKubeApiOptions {
  /** Host dir of the artifact claim: set to run the output collector of each pod (see above). */
  claimDir?: string;
}

const IMAGE_ID = `docker-pullable://trainer@sha256:${'f'.repeat(64)}`;

export interface FakeKubeApi {
  url: string;
  jobs: Map<string, V1Job>;
  /** Every Job body the client created, for schema validation. */
  created: unknown[];
  close(): Promise<void>;
}

function status(res: http.ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

function send(res: http.ServerResponse, body: unknown, code = 200, type = 'application/json'): void {
  res.writeHead(code, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function matches(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return labels?.[k] === v;
  });
}

export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const jobs = new Map<string, V1Job>();
  const pods = new Map<string, FakePod>();
  const created: unknown[] = [];
  const podNs = (fp: FakePod): string => fp.pod.metadata?.namespace ?? '';
  const podJob = (fp: FakePod): string => fp.pod.metadata?.labels?.['job-name'] ?? '';
  const finished = (job: V1Job): boolean => (job.status?.conditions ?? []).length > 0;
  const key = (ns: string, name: string): string => `${ns}/${name}`;

  const finishJob = (job: V1Job, type: 'Complete' | 'Failed', reason: string): void => {
    const condition: V1JobCondition = { type, status: 'True', reason, message: reason };
    job.status = { ...job.status, active: 0, conditions: [condition] };
  };

  const containerStatus = (name: string, state: V1ContainerStatus['state']): V1ContainerStatus => ({
    name,
    image: 'trainer',
    imageID: IMAGE_ID,
    ready: state?.running !== undefined,
    restartCount: 0,
    state,
  });

  const podEnded = (fp: FakePod): void => {
    const statuses = fp.pod.status?.containerStatuses ?? [];
    if (statuses.some((c) => c.state?.terminated === undefined)) return;
    const failed = statuses.some((c) => c.state?.terminated?.exitCode !== 0);
    fp.pod.status = { ...fp.pod.status, phase: failed ? 'Failed' : 'Succeeded' };
    const job = jobs.get(key(podNs(fp), podJob(fp)));
    if (job && !finished(job)) finishJob(job, failed ? 'Failed' : 'Complete', failed ? 'BackoffLimitExceeded' : 'Completed');
  };

  const setState = (fp: FakePod, container: string, state: V1ContainerStatus['state']): void => {
    const statuses = fp.pod.status?.containerStatuses ?? [];
    fp.pod.status = { ...fp.pod.status, containerStatuses: statuses.map((c) => (c.name === container ? containerStatus(container, state) : c)) };
  };

  /** The collector's own command, with every mount path replaced by the host dir standing for it. */
  const runCollector = (fp: FakePod, spec: V1Container, claimDir: string): void => {
    const mounts = (spec.volumeMounts ?? []).map((m) => ({
      at: m.mountPath,
      host: fp.emptyDirs.get(m.name) ?? path.join(claimDir, m.subPath ?? ''),
    }));
    const hostPath = (arg: string): string => {
      const mount = mounts.find((m) => arg === m.at || arg.startsWith(`${m.at}/`));
      return mount ? mount.host + arg.slice(mount.at.length) : arg;
    };
    const [command, ...args] = (spec.command ?? []).map(hostPath);
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    fp.collector = child;
    child.on('close', (code) => {
      fp.collector = undefined;
      if (!pods.has(key(podNs(fp), fp.pod.metadata?.name ?? ''))) return;
      const exitCode = code ?? 137;
      setState(fp, spec.name, { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', message: stderr.slice(-500) } });
      podEnded(fp);
    });
  };

  const terminate = (fp: FakePod, job: V1Job, exitCode: number, reason: string): void => {
    fp.timers.forEach(clearTimeout);
    setState(fp, 'trainer', { terminated: { exitCode, reason } });
    const collector = job.spec?.template.spec?.containers.find((c) => c.name === 'collector');
    const lock = job.spec?.template.spec?.containers[0]?.command?.[3];
    if (collector && options.claimDir && lock) {
      // What the trainer's wrapper left: the lock file, released with the trainer's last process.
      const lockMount = (collector.volumeMounts ?? []).find((m) => lock.startsWith(`${m.mountPath}/`));
      const lockDir = lockMount && fp.emptyDirs.get(lockMount.name);
      if (lockDir) fs.writeFileSync(path.join(lockDir, lock.slice(lockMount.mountPath.length)), '');
      runCollector(fp, collector, options.claimDir);
      return;
    }
    if (collector) setState(fp, 'collector', { terminated: { exitCode: 0, reason: 'Completed' } });
    podEnded(fp);
  };

  const deletePod = (k: string): void => {
    const fp = pods.get(k);
    if (!fp) return;
    fp.timers.forEach(clearTimeout);
    fp.collector?.kill('SIGKILL');
    pods.delete(k);
    for (const dir of fp.emptyDirs.values()) fs.rmSync(dir, { recursive: true, force: true });
    const job = jobs.get(key(podNs(fp), podJob(fp)));
    if (job && !finished(job)) finishJob(job, 'Failed', 'PodDeleted');
  };

  /** What the scripted trainer does to its /output: "head -c N /dev/urandom > /output/NAME". */
  const playOutput = (fp: FakePod, trainer: V1Container, script: string): void => {
    const output = (trainer.volumeMounts ?? []).find((m) => m.mountPath === '/output');
    const dir = output && fp.emptyDirs.get(output.name);
    if (!dir) return;
    for (const m of script.matchAll(/head -c (\d+) \/dev\/urandom > \/output\/([\w.-]+)/g)) {
      fs.writeFileSync(path.join(dir, m[2]), Buffer.alloc(Number(m[1]), 1));
    }
  };

  const runKubelet = (ns: string, job: V1Job): void => {
    const jobName = job.metadata?.name ?? '';
    const name = `${jobName}-${Math.random().toString(36).slice(2, 7)}`;
    const podSpec = job.spec?.template.spec;
    const containers = podSpec?.containers ?? [];
    const trainerCommand = containers[0]?.command ?? [];
    const script = trainerCommand.slice(trainerCommand.indexOf('--') + 1).join(' ');
    const emptyDirs = new Map<string, string>();
    for (const volume of podSpec?.volumes ?? []) {
      if (volume.emptyDir) emptyDirs.set(volume.name, fs.mkdtempSync(path.join(os.tmpdir(), `fake-kubelet-${volume.name}-`)));
    }
    const fp: FakePod = {
      pod: {
        metadata: { name, namespace: ns, labels: { ...job.spec?.template.metadata?.labels, 'job-name': jobName } },
        status: { phase: 'Running', containerStatuses: containers.map((c) => containerStatus(c.name, { running: {} })) },
      },
      log: [...script.matchAll(/echo ([^;\n]+)/g)].map((m) => `${m[1].trim()}\n`).join(''),
      timers: [],
      emptyDirs,
    };
    pods.set(key(ns, name), fp);
    job.status = { active: 1, startTime: new Date() };
    const exit = /exit (\d+)/.exec(script);
    const sleep = /sleep (\d+)/.exec(script);
    const deadline = Number(job.spec?.activeDeadlineSeconds);
    if (/OOM/.test(script)) fp.timers.push(setTimeout(() => terminate(fp, job, 137, 'OOMKilled'), 150));
    else if (sleep && Number(sleep[1]) > deadline) {
      fp.timers.push(
        setTimeout(() => {
          finishJob(job, 'Failed', 'DeadlineExceeded');
          deletePod(key(ns, name));
        }, deadline * 1000),
      );
    } else {
      const after = sleep ? Number(sleep[1]) * 1000 : 100;
      fp.timers.push(
        setTimeout(() => {
          if (containers[0]) playOutput(fp, containers[0], script);
          terminate(fp, job, exit ? Number(exit[1]) : 0, exit && exit[1] !== '0' ? 'Error' : 'Completed');
        }, after),
      );
    }
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {}) as V1Job;
      let m: RegExpExecArray | null;
      const selector = url.searchParams.get('labelSelector');
      if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/.exec(url.pathname))) {
        const ns = m[1];
        if (req.method === 'POST') {
          const name = body.metadata?.name ?? '';
          if (jobs.has(key(ns, name))) return status(res, 409, 'AlreadyExists', `jobs.batch "${name}" already exists`);
          created.push(JSON.parse(JSON.stringify(body)));
          const job: V1Job = { ...body, metadata: { ...body.metadata, namespace: ns, uid: name }, status: {} };
          jobs.set(key(ns, name), job);
          runKubelet(ns, job);
          return send(res, job, 201);
        }
        if (req.method === 'GET') {
          const items = [...jobs.values()].filter((j) => j.metadata?.namespace === ns && matches(j.metadata?.labels, selector));
          return send(res, { kind: 'JobList', apiVersion: 'batch/v1', metadata: {}, items });
        }
      }
      if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/.exec(url.pathname))) {
        const [, ns, name] = m;
        const job = jobs.get(key(ns, name));
        if (!job) return status(res, 404, 'NotFound', `jobs.batch "${name}" not found`);
        if (req.method === 'GET') return send(res, job);
        if (req.method === 'DELETE') {
          jobs.delete(key(ns, name));
          for (const [k, fp] of pods) if (podJob(fp) === name) deletePod(k);
          return send(res, { kind: 'Status', apiVersion: 'v1', status: 'Success', metadata: {} });
        }
      }
      if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname))) {
        const ns = m[1];
        const selected = [...pods.entries()].filter(([, fp]) => podNs(fp) === ns && matches(fp.pod.metadata?.labels, selector));
        if (req.method === 'GET') return send(res, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: selected.map(([, fp]) => fp.pod) });
        if (req.method === 'DELETE') {
          selected.forEach(([k]) => deletePod(k));
          return send(res, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] });
        }
      }
      if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname))) {
        const fp = pods.get(key(m[1], m[2]));
        if (!fp) return status(res, 404, 'NotFound', `pods "${m[2]}" not found`);
        return send(res, fp.log, 200, 'text/plain');
      }
      return status(res, 404, 'NotFound', `the server could not find the requested resource (${req.method} ${url.pathname})`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    jobs,
    created,
    close: async () => {
      for (const k of [...pods.keys()]) deletePod(k);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
