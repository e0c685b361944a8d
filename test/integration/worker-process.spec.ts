import * as fs from 'node:fs';
import { WorkerProcess } from '../../src/evaluation/worker/worker-process';

/**
 * What an inference worker process runs with, read from the kernel (/proc) while it waits for its
 * job: the environment it was given and nothing else of this process's (no secrets reach the model),
 * the malloc settings of a one-job process, and RLIMIT_DATA at its memory cap.
 */
describe('inference worker process (real process)', () => {
  let worker: WorkerProcess | undefined;
  afterEach(() => worker?.kill());

  it('gets only its given environment and the malloc settings, under RLIMIT_DATA', async () => {
    process.env.CRUCIBLE_TEST_SECRET = 'must-not-reach-the-worker';
    try {
      worker = new WorkerProcess({ env: { PATH: '/usr/bin:/bin' }, memoryMb: 512, hardDataLimit: true });
      await worker.whenStarted();
    } finally {
      delete process.env.CRUCIBLE_TEST_SECRET;
    }
    const environ = fs.readFileSync(`/proc/${worker.pid}/environ`, 'latin1').split('\0').filter(Boolean).sort();
    // Besides PATH: glibc's malloc settings (a 64 MiB mmap threshold, a 1 GiB trim threshold) and Node's IPC channel.
    expect(environ).toEqual(['MALLOC_MMAP_THRESHOLD_=67108864', 'MALLOC_TRIM_THRESHOLD_=1073741824', 'NODE_CHANNEL_FD=3', 'NODE_CHANNEL_SERIALIZATION_MODE=advanced', 'PATH=/usr/bin:/bin']);
    // 512 MiB in bytes, soft and hard.
    expect(fs.readFileSync(`/proc/${worker.pid}/limits`, 'utf8')).toMatch(/^Max data size\s+536870912\s+536870912\s+bytes/m);
  });
});
