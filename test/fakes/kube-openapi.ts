import Ajv, { type ValidateFunction } from 'ajv';
import schema from './kube-openapi-job.json';
import baseSchema from './kube-openapi-base.json';

/**
 * Validates objects against a trimmed copy of the Kubernetes OpenAPI v3 schema (the Job subset
 * Crucible sends). Unknown fields are errors, like the API server's fieldValidation=Strict.
 */
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(schema, 'kube');
const cache = new Map<string, ValidateFunction>();

export function validateAgainstKubeSchema(definition: string, value: unknown): string[] {
  let validate = cache.get(definition);
  if (!validate) {
    validate = ajv.getSchema(`kube#/components/schemas/${definition}`);
    if (!validate) throw new Error(`no schema for ${definition}`);
    cache.set(definition, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/**
 * Every kind k8s/base renders, against test/fakes/kube-openapi-base.json (Kubernetes 1.34, generated
 * once by test/fakes/generate-kube-openapi-base.ts). An object of a kind the file lacks is an error.
 */
const base = new Ajv({ strict: false, allErrors: true });
base.addSchema(baseSchema, 'kube-base');
const baseKinds = (baseSchema.info as { 'x-kinds': Record<string, string> })['x-kinds'];

export function validateKubeObject(value: { apiVersion?: unknown; kind?: unknown }): string[] {
  const model = baseKinds[`${String(value.apiVersion)}/${String(value.kind)}`];
  if (!model) return [`no schema for ${String(value.apiVersion)}/${String(value.kind)}`];
  const validate = base.getSchema(`kube-base#/components/schemas/${model}`);
  if (!validate) throw new Error(`no schema for ${model}`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
