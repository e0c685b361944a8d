import Ajv, { type ValidateFunction } from 'ajv';
import schema from './kube-openapi-job.json';

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
