import type { V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small fake Kubernetes API server on 127.0.0.1: the REST paths and Status errors the Job adapter
 * uses (batch/v1 Jobs, v1 Pods, pod logs), with a scripted "kubelet" that plays the pod's command:
 *   "exit N" ends with exit code N, "OOM" ends OOMKilled, "sleep N" runs N s (Job deadline and pod
 *   deletion apply), "echo TEXT" lines become the pod log. No real containers run here.
 */
interface FakePod {
  pod: V1Pod;
  log: string;
  timers: NodeJS.Timeout[];
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

export async function startFakeKubeApi(): Promise<FakeKubeApi> {
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

  const terminate = (fp: FakePod, exitCode: number, reason: string): void => {
    fp.timers.forEach(clearTimeout);
    fp.pod.status = {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      containerStatuses: [{ name: 'trainer', image: 'trainer', imageID: IMAGE_ID, ready: false, restartCount: 0, state: { terminated: { exitCode, reason } } }],
    };
    const job = jobs.get(key(podNs(fp), podJob(fp)));
    if (job && !finished(job)) finishJob(job, exitCode === 0 ? 'Complete' : 'Failed', exitCode === 0 ? 'Completed' : 'BackoffLimitExceeded');
  };

  const deletePod = (k: string): void => {
    const fp = pods.get(k);
    if (!fp) return;
    fp.timers.forEach(clearTimeout);
    pods.delete(k);
    const job = jobs.get(key(podNs(fp), podJob(fp)));
    if (job && !finished(job)) finishJob(job, 'Failed', 'PodDeleted');
  };

  const runKubelet = (ns: string, job: V1Job): void => {
    const jobName = job.metadata?.name ?? '';
    const name = `${jobName}-${Math.random().toString(36).slice(2, 7)}`;
    const script = (job.spec?.template.spec?.containers[0]?.command ?? []).join(' ');
    const fp: FakePod = {
      pod: {
        metadata: { name, namespace: ns, labels: { ...job.spec?.template.metadata?.labels, 'job-name': jobName } },
        status: { phase: 'Running', containerStatuses: [{ name: 'trainer', image: 'trainer', imageID: IMAGE_ID, ready: true, restartCount: 0, state: { running: {} } }] },
      },
      log: [...script.matchAll(/echo ([^;\n]+)/g)].map((m) => `${m[1].trim()}\n`).join(''),
      timers: [],
    };
    pods.set(key(ns, name), fp);
    job.status = { active: 1, startTime: new Date() };
    const exit = /exit (\d+)/.exec(script);
    const sleep = /sleep (\d+)/.exec(script);
    const deadline = Number(job.spec?.activeDeadlineSeconds);
    if (/OOM/.test(script)) fp.timers.push(setTimeout(() => terminate(fp, 137, 'OOMKilled'), 150));
    else if (sleep && Number(sleep[1]) > deadline) {
      fp.timers.push(
        setTimeout(() => {
          finishJob(job, 'Failed', 'DeadlineExceeded');
          deletePod(key(ns, name));
        }, deadline * 1000),
      );
    } else {
      const after = sleep ? Number(sleep[1]) * 1000 : 100;
      fp.timers.push(setTimeout(() => terminate(fp, exit ? Number(exit[1]) : 0, exit && exit[1] !== '0' ? 'Error' : 'Completed'), after));
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
      for (const fp of pods.values()) fp.timers.forEach(clearTimeout);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
