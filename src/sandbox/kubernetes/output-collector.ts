/**
 * Kubernetes: the miner's /output is a memory-backed emptyDir with `sizeLimit` (a tmpfs mounted with
 * `size=`, so the kernel refuses writes past it with ENOSPC, charged to the pod's memory cgroup). A
 * second container of the pod, the collector, copies what the worker needs from it to the run's
 * sub-path of the shared claim, bounded, before the pod goes away:
 *  - The trainer takes an exclusive flock on a file of a small shared emptyDir before it runs the
 *    miner's command; the descriptor is inherited by every process of the command, so the lock is
 *    released by the kernel once the last of them has ended (a miner that closes it early only ends
 *    the collection of its own output early). The file appears under its name only once the lock is
 *    held (renamed after flock), so the collector cannot take it first.
 *  - The collector then reads the facts from the kernel, not from a walk: statvfs gives the bytes
 *    and inodes in use on /output whatever names, depths or modes the miner used. emptyDir cannot
 *    set tmpfs `nr_inodes`, so the file count is bounded only through the memory cgroup (every tmpfs
 *    inode is charged to it); the collector reports the count and the run is refused above the limit.
 *  - model.onnx is copied only when it is a regular file within the cap: opened without following
 *    links (O_PATH, then reopened through /proc/self/fd), made readable first (the collector runs as
 *    the miner's uid, the file's owner, so a mode the miner set never stops the copy), read up to cap
 *    + 1 bytes. result.json then says what was found; both are written under temporary names and
 *    renamed, so a half-written file is never read.
 * Python from the trainer image's standard library (isolated mode, no site packages).
 */
const COLLECTOR_PY = String.raw`
import fcntl, json, os, stat, sys, time
output, dest, lock, cap = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
while True:
    try:
        held = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        break
    except OSError:
        time.sleep(0.1)
fcntl.flock(held, fcntl.LOCK_EX)
st = os.statvfs(output)
counted = st.f_files > 0
full = (counted and st.f_favail == 0) or st.f_bavail * st.f_frsize < max(65536, st.f_blocks * st.f_frsize // 100)
entries = st.f_files - st.f_ffree - 1 if counted else None
def create(name):
    return open(os.open(os.path.join(dest, name + '.part'), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644), 'wb')
def publish(name):
    os.replace(os.path.join(dest, name + '.part'), os.path.join(dest, name))
def copy_model():
    try:
        ref = os.open(os.path.join(output, 'model.onnx'), os.O_PATH | os.O_NOFOLLOW)
    except FileNotFoundError:
        return {'kind': 'missing'}
    except OSError:
        return {'kind': 'not-a-file'}
    info = os.fstat(ref)
    if not stat.S_ISREG(info.st_mode):
        return {'kind': 'not-a-file'}
    if info.st_size > cap:
        return {'kind': 'too-large', 'bytes': info.st_size}
    at = '/proc/self/fd/%d' % ref
    os.chmod(at, 0o600)
    source = os.open(at, os.O_RDONLY | os.O_NONBLOCK)
    copied = 0
    with create('model.onnx') as f:
        while copied <= cap:
            chunk = os.read(source, min(1 << 20, cap + 1 - copied))
            if not chunk:
                break
            f.write(chunk)
            copied += len(chunk)
    if copied > cap:
        os.unlink(os.path.join(dest, 'model.onnx.part'))
        return {'kind': 'too-large', 'bytes': copied}
    publish('model.onnx')
    return {'kind': 'file', 'bytes': copied}
model = copy_model()
with create('result.json') as f:
    f.write(json.dumps({'model': model, 'outputFull': full, 'entries': entries}).encode())
publish('result.json')
`;

export const COLLECTOR_CONTAINER = 'collector';

/** Where the pod's two containers meet (paths inside the pod; the collected dir is the claim's sub-path). */
export const COLLECTOR_PATHS = {
  /** Small emptyDir shared by trainer and collector; holds the lock file only. */
  lockDir: '/run/crucible',
  lockFile: '/run/crucible/trainer.lock',
  /** The run's output sub-path of the shared claim, mounted in the collector only. */
  collected: '/collected',
} as const;

/** Files the collector writes into the run's output dir on the claim. */
export const COLLECTED_FILES = { model: 'model.onnx', result: 'result.json' } as const;

/** The miner's command, run once the trainer holds the lock (the descriptor stays open across exec). */
export function lockedTrainerCommand(command: string[]): string[] {
  return ['sh', '-c', 'exec 9>"$0.part" && flock -x 9 && mv -f "$0.part" "$0" && exec "$@"', COLLECTOR_PATHS.lockFile, ...command];
}

export function collectorCommand(output: string, modelMaxBytes: number): string[] {
  return ['python3', '-I', '-S', '-c', COLLECTOR_PY, output, COLLECTOR_PATHS.collected, COLLECTOR_PATHS.lockFile, String(modelMaxBytes)];
}
