import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Pretrained base models that text tasks hand to miners (in /task/base/) and score as their
 * baseline; the `preference` task's reference model is the base model. Each is registered by the
 * sha256 of its model.onnx: a file that does not match is never used. How each was made (script,
 * corpus, seed, licence) is in base-models/README.md.
 */
export interface BaseModelEntry {
  /** Directory name under base-models/ and the name rulebooks use: `base:<id>`. */
  id: string;
  /** sha256 of model.onnx. */
  sha256: string;
  /** Files a miner finds in /task/base/ when they are not BASE_MODEL_FILES (e.g. no tokenizer for images). */
  files?: readonly string[];
}

export const BASE_MODELS: readonly BaseModelEntry[] = [
  { id: 'byte-lm-v1', sha256: '517a91ba2f600f049c0ed4061db8d49e070472f1466c3be37a801c5a39ec080a' },
  // The `image` tasks' denoiser (base-models/shapes-denoiser-v1/README.md).
  { id: 'shapes-denoiser-v1', sha256: '6229b83ee0a09a96df9b3d9e8441c8fc642395f1e491d8599999735073ea78bf', files: ['model.onnx', 'model.pt', 'model.py', 'README.md'] },
];

/** Files a miner finds in /task/base/ (model.onnx is the same network as model.pt). */
export const BASE_MODEL_FILES = ['model.onnx', 'model.pt', 'model.py', 'tokenizer.json', 'README.md'] as const;

export const BASE_MODEL_PREFIX = 'base:';

export interface LoadedBaseModel extends BaseModelEntry {
  dir: string;
  onnx: Uint8Array;
}

/** The repository's `base-models/` folder, found from this file in src/ or dist/src/. */
export function repoBaseModelsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i += 1) {
    const candidate = path.join(dir, 'base-models');
    if (fs.existsSync(path.join(candidate, 'README.md'))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve('base-models');
}

export function baseModelEntry(name: string): BaseModelEntry | undefined {
  const id = name.startsWith(BASE_MODEL_PREFIX) ? name.slice(BASE_MODEL_PREFIX.length) : name;
  return BASE_MODELS.find((m) => m.id === id);
}

/** Reads a registered base model's ONNX file and checks it against its registered sha256. */
export async function loadBaseModel(name: string, root = repoBaseModelsDir()): Promise<LoadedBaseModel> {
  const entry = baseModelEntry(name);
  if (!entry) throw new Error(`unknown base model "${name}" (registered: ${BASE_MODELS.map((m) => BASE_MODEL_PREFIX + m.id).join(', ')})`);
  const dir = path.join(root, entry.id);
  const onnx = new Uint8Array(await fs.promises.readFile(path.join(dir, 'model.onnx')));
  const sha256 = createHash('sha256').update(onnx).digest('hex');
  if (sha256 !== entry.sha256) throw new Error(`base model ${entry.id}: model.onnx has sha256 ${sha256}, registered ${entry.sha256}`);
  return { ...entry, dir, onnx };
}

/** Copies a base model's files into `dest` (the task's base/ folder, mounted at /task/base). */
export async function writeBaseModelFiles(model: LoadedBaseModel, dest: string): Promise<void> {
  await fs.promises.mkdir(dest, { recursive: true });
  for (const file of model.files ?? BASE_MODEL_FILES) await fs.promises.copyFile(path.join(model.dir, file), path.join(dest, file));
}
