import { createRequire } from 'node:module';
import type * as k8s from '@kubernetes/client-node';

let loaded: typeof k8s | undefined;

/**
 * @kubernetes/client-node 1.x is ESM-only. Node >= 20.19 loads it with a plain require(); going
 * Node's own loader keeps that true under Jest, whose module loader cannot.
 */
export function kubeClient(): typeof k8s {
  // process.getBuiltinModule returns Node's real module loader even inside Jest's sandbox.
  const nodeModule = (process.getBuiltinModule?.('node:module') as typeof import('node:module') | undefined) ?? { createRequire };
  loaded ??= nodeModule.createRequire(__filename)('@kubernetes/client-node') as typeof k8s;
  return loaded;
}
