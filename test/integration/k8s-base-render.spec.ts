import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { validateKubeObject } from '../fakes/kube-openapi';

/**
 * k8s/base as `kubectl apply -k` would send it: rendered by `kubectl kustomize` (scripts/setup.sh
 * kubectl installs Debian's kubernetes-client where none is there), every object validated against the
 * Kubernetes 1.34 schema (test/fakes/kube-openapi-base.json, unknown fields are errors), and the
 * security properties checked. No API server runs here: see k8s/README.md.
 */
interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}
interface Container {
  name: string;
  securityContext?: { privileged?: boolean; allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { add?: string[]; drop?: string[] } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: unknown;
  livenessProbe?: unknown;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  securityContext?: { runAsNonRoot?: boolean };
}

const BASE = path.resolve(__dirname, '../../k8s/base');

function render(): KubeObject[] {
  const yaml = execFileSync('kubectl', ['kustomize', BASE], { encoding: 'utf8' });
  return loadAll(yaml).filter(Boolean) as KubeObject[];
}

/** Schema errors of every object, each prefixed with the object it is in. */
function schemaFindings(objects: KubeObject[]): string[] {
  return objects.flatMap((o) => validateKubeObject(o).map((e) => `${o.kind}/${o.metadata?.name}: schema:${e}`));
}

function podSpec(o: KubeObject): PodSpec | undefined {
  if (o.kind === 'Pod') return o.spec as unknown as PodSpec;
  const template = (o.spec as { template?: { spec?: PodSpec }; jobTemplate?: { spec: { template: { spec: PodSpec } } } } | undefined);
  return template?.template?.spec ?? template?.jobTemplate?.spec.template.spec;
}

/** The security properties of the base, one line per violation. */
function securityFindings(objects: KubeObject[]): string[] {
  const found: string[] = [];
  for (const o of objects) {
    const pod = podSpec(o);
    if (!pod) continue;
    const where = `${o.kind}/${o.metadata.name}`;
    if (pod.hostNetwork || pod.hostPID) found.push(`${where}: shares a host namespace`);
    if (pod.securityContext?.runAsNonRoot !== true) found.push(`${where}: pod securityContext lacks runAsNonRoot: true`);
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      const at = `${where} container ${c.name}`;
      const sc = c.securityContext;
      if (!sc) found.push(`${at}: no securityContext`);
      if (sc?.privileged) found.push(`${at}: privileged`);
      if (sc && sc.allowPrivilegeEscalation !== false) found.push(`${at}: allowPrivilegeEscalation is not false`);
      if (sc && sc.readOnlyRootFilesystem !== true) found.push(`${at}: root filesystem is not read-only`);
      if (sc && (!sc.capabilities?.drop?.includes('ALL') || sc.capabilities.add?.length)) found.push(`${at}: capabilities not dropped to none`);
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (!c.resources?.[kind]?.[resource]) found.push(`${at}: no ${resource} ${kind === 'requests' ? 'request' : 'limit'}`);
        }
      }
      if (o.kind === 'Deployment' && (!c.readinessProbe || !c.livenessProbe)) found.push(`${at}: no readiness and liveness probe`);
    }
  }
  const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort();
  if (deployments.join(',') !== 'crucible-api,crucible-worker') found.push(`Deployments are ${deployments.join(',')}, expected crucible-api,crucible-worker`);
  // The sandbox namespace: one policy that selects every pod and lets no traffic out (nor in).
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'crucible-sandbox');
  const denyAll = policies.find((p) => {
    const spec = p.spec as { podSelector?: Record<string, unknown>; policyTypes?: string[]; egress?: unknown[]; ingress?: unknown[] };
    const selectsAll = spec.podSelector !== undefined && Object.keys(spec.podSelector).length === 0;
    return selectsAll && spec.policyTypes?.includes('Egress') && spec.policyTypes.includes('Ingress') && !spec.egress?.length && !spec.ingress?.length;
  });
  if (!denyAll) found.push('NetworkPolicy in crucible-sandbox: none selects every pod and denies all egress and ingress');
  // Any other policy there would add allowed traffic (policies are unions).
  for (const p of policies) if (p !== denyAll) found.push(`NetworkPolicy/${p.metadata.name} in crucible-sandbox: allows traffic beside the default deny`);
  return found;
}

describe('k8s/base rendered by kubectl kustomize', () => {
  const objects = render();

  it('renders every object of the base', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/crucible/crucible-config',
      'Deployment/crucible/crucible-api',
      'Deployment/crucible/crucible-worker',
      'LimitRange/crucible-sandbox/sandbox-defaults',
      'Namespace//crucible',
      'Namespace//crucible-sandbox',
      'NetworkPolicy/crucible-sandbox/default-deny-all',
      'PersistentVolumeClaim/crucible-sandbox/crucible-artifacts',
      'PersistentVolumeClaim/crucible/crucible-data',
      'ResourceQuota/crucible-sandbox/sandbox-quota',
      'Role/crucible-sandbox/crucible-sandbox-runner',
      'RoleBinding/crucible-sandbox/crucible-sandbox-runner',
      'RuntimeClass//gvisor',
      'Service/crucible/crucible-api',
      'ServiceAccount/crucible-sandbox/default',
      'ServiceAccount/crucible/crucible',
    ]);
  });

  it('validates every object against the Kubernetes 1.34 schema', () => {
    expect(schemaFindings(objects)).toEqual([]);
  });

  it('passes the security checks', () => {
    expect(securityFindings(objects)).toEqual([]);
  });

  it('runs each role of the pinned service image with its role flag', () => {
    const args = objects
      .filter((o) => o.kind === 'Deployment')
      .map((o) => (podSpec(o)!.containers as (Container & { image: string; args: string[] })[]).map((c) => `${c.image} ${c.args.join(' ')}`))
      .flat()
      .sort();
    expect(args).toEqual(['crucible/crucible:0.1.0 serve --role api', 'crucible/crucible:0.1.0 serve --role worker']);
  });

  it('fails, naming the object and the rule, on a deliberately broken copy', () => {
    const broken = structuredClone(objects);
    const deployment = (name: string) => podSpec(broken.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!)!;
    const api = deployment('crucible-api').containers[0] as Container & Record<string, unknown>;
    api.securityContext = { ...api.securityContext, privileged: true };
    api.resourcse = api.resources; // a misspelt field: the API server's strict validation rejects it
    delete api.resources;
    const worker = deployment('crucible-worker').containers[0];
    delete worker.securityContext;
    delete worker.livenessProbe;
    const policy = broken.find((o) => o.kind === 'NetworkPolicy')!;
    policy.spec = { podSelector: { matchLabels: { role: 'trainer' } }, policyTypes: ['Ingress', 'Egress'], egress: [{}] };
    const quota = broken.find((o) => o.kind === 'ResourceQuota')!;
    (quota.spec as { hard: Record<string, unknown> }).hard.pods = 64; // a number where the API takes a quantity string

    const schema = schemaFindings(broken);
    const security = securityFindings(broken);
    console.log(['schema findings:', ...schema, 'security findings:', ...security].join('\n  '));
    // Sorted: kustomize v2 and v5 order objects differently.
    expect([...schema].sort()).toEqual([
      expect.stringMatching(/^Deployment\/crucible-api: schema:\/spec\/template\/spec\/containers\/0 must NOT have additional properties \{"additionalProperty":"resourcse"\}/),
      expect.stringMatching(/^ResourceQuota\/sandbox-quota: schema:\/spec\/hard\/pods must be string/),
    ]);
    expect([...security].sort()).toEqual([
      'Deployment/crucible-api container api: privileged',
      'Deployment/crucible-api container api: no cpu request',
      'Deployment/crucible-api container api: no memory request',
      'Deployment/crucible-api container api: no cpu limit',
      'Deployment/crucible-api container api: no memory limit',
      'Deployment/crucible-worker container worker: no securityContext',
      'Deployment/crucible-worker container worker: no readiness and liveness probe',
      'NetworkPolicy in crucible-sandbox: none selects every pod and denies all egress and ingress',
      'NetworkPolicy/default-deny-all in crucible-sandbox: allows traffic beside the default deny',
    ].sort());
  });
});
