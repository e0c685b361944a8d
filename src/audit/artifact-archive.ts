import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Scored model files, kept content-addressed under `<dataDir>/artifacts/<sha256>.onnx` for the
 * configured retention (default 8 days, so a 7-day audit can always re-evaluate them).
 */
@Injectable()
export class ArtifactArchive {
  private readonly logger = new Logger(ArtifactArchive.name);

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  get directory(): string {
    return path.join(this.config.dataDir, 'artifacts');
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.directory, `${sha256}.onnx`);
  }

  /** Copies `file` in under its sha256 (checked while copying); false when it is gone or its content differs. */
  async archive(file: string, sha256: string): Promise<boolean> {
    const target = this.pathOf(sha256);
    if (fs.existsSync(target)) return true;
    await fs.promises.mkdir(this.directory, { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    try {
      await fs.promises.copyFile(file, tmp);
      const actual = createHash('sha256').update(await fs.promises.readFile(tmp)).digest('hex');
      if (actual !== sha256) {
        this.logger.warn({ file, sha256, actual }, 'model file changed since it was scored; not archived');
        return false;
      }
      await fs.promises.rename(tmp, target);
      return true;
    } catch (error) {
      this.logger.warn({ file, sha256, error: String(error) }, 'model file could not be archived');
      return false;
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
  }

  /** Deletes archived models older than the retention; returns how many. */
  async prune(): Promise<number> {
    const cutoff = this.clock.now().getTime() - this.config.audit.artifactRetentionDays * 86_400_000;
    let removed = 0;
    for (const name of await fs.promises.readdir(this.directory).catch(() => [] as string[])) {
      const file = path.join(this.directory, name);
      const stat = await fs.promises.stat(file).catch(() => null);
      if (stat && stat.mtimeMs < cutoff) {
        await fs.promises.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
