import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { OutputFacts } from './classify-outcome';

/** Bytes of regular files under dir, never following links (a hostile run may plant them). */
export async function directoryBytes(dir: string, stopAbove = Number.POSITIVE_INFINITY): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(current, { withFileTypes: true });
    } catch {
      continue; // removed while we walked
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.isFile()) {
        const stat = await fs.lstat(full).catch(() => null);
        total += stat?.size ?? 0;
        if (total > stopAbove) return total;
      }
    }
  }
  return total;
}

export async function inspectOutput(outputDir: string, capExceededDuringRun: boolean): Promise<OutputFacts> {
  const totalBytes = await directoryBytes(outputDir);
  const stat = await fs.lstat(path.join(outputDir, 'model.onnx')).catch(() => null);
  const model: OutputFacts['model'] =
    stat === null ? { kind: 'missing' } : stat.isFile() ? { kind: 'file', bytes: stat.size } : { kind: 'not-a-file' };
  return { totalBytes, capExceededDuringRun, model };
}

/** Polls the output dir while a run is live and calls onExceeded once when it outgrows the cap. */
export class OutputWatcher {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  exceeded = false;

  constructor(
    private readonly dir: string,
    private readonly capBytes: number,
    private readonly onExceeded: () => void,
    private readonly intervalMs = 500,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async check(): Promise<void> {
    if (this.busy || this.exceeded) return;
    this.busy = true;
    try {
      if ((await directoryBytes(this.dir, this.capBytes)) > this.capBytes) {
        this.exceeded = true;
        this.onExceeded();
      }
    } finally {
      this.busy = false;
    }
  }
}
