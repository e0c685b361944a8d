import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { CollectedOutput, CollectRequest } from './sandbox-runner';

/**
 * Removes a directory tree whatever modes its contents carry: a sandbox may have left directories
 * without write or search permission (only on engines that share a host dir, i.e. Kubernetes).
 */
export async function forceRemove(dir: string): Promise<void> {
  try {
    await fs.rm(dir, { recursive: true, force: true });
    return;
  } catch {
    // fall through: open up the directories (depth-first, never following links), then retry
  }
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    await fs.chmod(current, 0o700).catch(() => undefined);
    const entries = await fs.readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) if (entry.isDirectory()) stack.push(path.join(current, entry.name));
  }
  await fs.rm(dir, { recursive: true, force: true });
}

/**
 * Output on a host dir shared with the sandbox (the Kubernetes driver): copies model.onnx when it is
 * a regular file within the cap. The volume's size limit is the engine's (emptyDir sizeLimit).
 */
export async function collectFromHostDir(outputDir: string, request: CollectRequest): Promise<Pick<CollectedOutput, 'model' | 'outputFull'>> {
  const source = path.join(outputDir, 'model.onnx');
  const stat = await fs.lstat(source).catch(() => null);
  if (stat === null) return { model: { kind: 'missing' }, outputFull: false };
  if (!stat.isFile()) return { model: { kind: 'not-a-file' }, outputFull: false };
  if (stat.size > request.modelMaxBytes) return { model: { kind: 'too-large', bytes: stat.size }, outputFull: false };
  await fs.copyFile(source, request.modelPath);
  return { model: { kind: 'file', bytes: stat.size }, outputFull: false };
}
