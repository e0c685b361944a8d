import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildJobManifest } from '../../src/sandbox/kubernetes/job-manifest';
import { kubeClient } from '../../src/sandbox/kubernetes/kube-client';
import { buildRunSpec } from '../../src/sandbox/run-spec';

/** Static checks of the kustomize base (no API server runs here; see k8s/README.md). */
interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

const BASE = path.resolve(__dirname, '../../k8s/base');

function load(file: string): Doc[] {
  return kubeClient().loadAllYaml(fs.readFileSync(path.join(BASE, file), 'utf8')) as Doc[];
}

describe('k8s/base', () => {
  const kustomization = load('kustomization.yaml')[0] as unknown as { resources: string[] };
  const docs = kustomization.resources.flatMap(load);
  const find = (kind: string, name: string): Doc => {
    const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
    if (!doc) throw new Error(`${kind}/${name} missing`);
    return doc;
  };

  it('lists every file it needs and each parses to typed objects', () => {
    for (const file of kustomization.resources) expect(fs.existsSync(path.join(BASE, file))).toBe(true);
    for (const doc of docs) {
      expect(doc.apiVersion).toBeTruthy();
      expect(doc.kind).toBeTruthy();
      expect(doc.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    }
  });

  it('grants the worker only Job/Pod/log rights, only in the sandbox namespace', () => {
    const roles = docs.filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole');
    expect(roles.map((r) => `${r.kind}/${r.metadata.namespace}`)).toEqual(['Role/crucible-sandbox']);
    const rules = (roles[0] as unknown as { rules: { resources: string[]; verbs: string[] }[] }).rules;
    expect(rules.flatMap((r) => r.resources).sort()).toEqual(['jobs', 'pods', 'pods/log']);
    expect(rules.flatMap((r) => r.verbs)).not.toContain('*');
    expect(docs.some((d) => d.kind === 'ClusterRoleBinding')).toBe(false);
  });

  it('denies all sandbox traffic and enforces the restricted pod security level', () => {
    const policy = find('NetworkPolicy', 'default-deny-all') as unknown as { metadata: Doc['metadata']; spec: Record<string, unknown> };
    expect(policy.metadata.namespace).toBe('crucible-sandbox');
    expect(policy.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const ns = find('Namespace', 'crucible-sandbox') as unknown as { metadata: { labels: Record<string, string> } };
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('configures the worker for the kubernetes driver on the shared claim', () => {
    const config = find('ConfigMap', 'crucible-config') as unknown as { data: Record<string, string> };
    expect(config.data).toMatchObject({ CRUCIBLE_SANDBOX_DRIVER: 'kubernetes', CRUCIBLE_K8S_NAMESPACE: 'crucible-sandbox', CRUCIBLE_DATA_DIR: '/data' });
    const claim = find('PersistentVolumeClaim', config.data.CRUCIBLE_K8S_ARTIFACT_PVC);
    expect(claim.metadata.namespace).toBe('crucible-sandbox');
    expect(find('RuntimeClass', config.data.CRUCIBLE_K8S_RUNTIME_CLASS)).toBeTruthy();
  });
});

/**
 * The Pod Security Standards' `restricted` level, which the sandbox namespace enforces, written out
 * from https://kubernetes.io/docs/concepts/security/pod-security-standards/ (admission itself does not
 * run here): a Job pod that breaks it would be refused by the API server.
 */
function restrictedViolations(pod: ReturnType<typeof buildJobManifest>['spec']['template']['spec']): string[] {
  const allowedVolumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
  const found: string[] = [];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) found.push('host namespaces');
  for (const volume of pod.volumes) {
    const types = Object.keys(volume).filter((k) => k !== 'name');
    if (!types.every((t) => allowedVolumes.includes(t))) found.push(`volume ${volume.name}: ${types.join(',')}`);
  }
  for (const c of pod.containers) {
    const sc = c.securityContext;
    if (sc.privileged !== false) found.push(`${c.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) found.push(`${c.name}: allowPrivilegeEscalation`);
    if (!sc.capabilities.drop.includes('ALL')) found.push(`${c.name}: capabilities not dropped`);
    if (!(sc.runAsNonRoot || pod.securityContext.runAsNonRoot)) found.push(`${c.name}: runAsNonRoot`);
    if (pod.securityContext.runAsUser === 0) found.push(`${c.name}: runAsUser 0`);
    const seccomp = sc.seccompProfile.type ?? pod.securityContext.seccompProfile.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') found.push(`${c.name}: seccomp ${seccomp}`);
  }
  return found;
}

describe('Jobs the runner builds', () => {
  const dirs = { taskDir: '/data/runs/r/task', trainDir: '/data/tasks/t/train', codeDir: '/data/runs/r/code', outputDir: '/data/runs/r/output' };
  const job = buildJobManifest(
    buildRunSpec({
      instance: 'i',
      runId: 'r',
      attempt: 1,
      tournamentId: 't',
      image: 'crucible/trainer-cpu:1',
      entrypoint: 'train.py',
      mounts: dirs,
      limits: { memoryMb: 1024, cpus: 1, pidsLimit: 64, gpus: 0, scratchMb: 64, maxFiles: 4096, outputMaxBytes: 64 << 20, logMaxBytes: 1 << 20, wallSeconds: 600, graceSeconds: 10 },
      startedAtMs: 0,
    }),
    { namespace: 'crucible-sandbox', artifactVolumeClaim: 'crucible-artifacts', dataDir: '/data', nodeSelector: {}, tolerations: [], jobTtlSeconds: 600, nowMs: 0 },
  );
  it('meet the restricted Pod Security level of the sandbox namespace, trainer and collector alike', () => {
    expect(job.spec.template.spec.containers.map((c) => c.name)).toEqual(['trainer', 'collector']);
    expect(restrictedViolations(job.spec.template.spec)).toEqual([]);
    // The check itself finds a breach: a hostPath volume and a container that may escalate.
    const broken = JSON.parse(JSON.stringify(job.spec.template.spec)) as typeof job.spec.template.spec;
    (broken.volumes as unknown[]).push({ name: 'host', hostPath: { path: '/' } });
    (broken.containers[1].securityContext as { allowPrivilegeEscalation: boolean }).allowPrivilegeEscalation = true;
    expect(restrictedViolations(broken)).toEqual(['volume host: hostPath', 'collector: allowPrivilegeEscalation']);
  });
  it('let only the collector write the claim, and only the run\'s output sub-path', () => {
    const writable = job.spec.template.spec.containers.flatMap((c) => c.volumeMounts.filter((m) => m.name === 'artifacts' && !m.readOnly).map((m) => `${c.name}:${m.subPath}`));
    expect(writable).toEqual(['collector:runs/r/output']);
  });
});
