import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Removes a directory tree whatever modes its contents carry: a sandbox may have left directories
 * without write or search permission.
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
