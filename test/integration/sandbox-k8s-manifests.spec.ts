import * as fs from 'node:fs';
import * as path from 'node:path';
import { kubeClient } from '../../src/sandbox/kubernetes/kube-client';

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
