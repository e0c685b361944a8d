import { ValueTransformer } from 'typeorm';

/** bigint columns come back from pg as strings; keep them as strings (exact) unless small. */
export const numericTransformer: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? null : Number(v)),
};
