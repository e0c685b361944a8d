import { createHash } from 'node:crypto';

/**
 * Canonical JSON, the bytes that are hashed and signed: UTF-8, object keys sorted by UTF-16 code
 * units (JS default sort), no whitespace, arrays in order, numbers as JSON.stringify writes them
 * (shortest round-trip form), strings escaped as JSON.stringify does, `undefined` members left out.
 * NaN, Infinity, bigint and Date are refused: convert them before (dates as ISO 8601 strings).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
      if (value instanceof Date) throw new TypeError('canonical JSON: convert dates to ISO strings first');
      const members: Array<[string, unknown]> = Object.entries(value).filter(([, v]) => v !== undefined);
      members.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
