import { SANDBOX_PATHS } from './run-spec';

/**
 * The process that runs the miner's command inside the sandbox, as the miner's user. It bounds the
 * log at the source: the script's stdout and stderr go into a pipe it reads, of which it keeps the
 * first half of the log budget (file `head`) and the newest half (file `tail`, rewritten at most once a
 * second), both on a small size-limited tmpfs. Nothing the script prints reaches the engine, so a flood
 * costs the script's own CPU quota, not the host's. At CRUCIBLE_DEADLINE it sends SIGTERM to every
 * process of its user (the script's grace period); it ignores SIGTERM itself so it can save the tail.
 * Its last stdout line says whether /output was full (at its byte or inode limit) when the script ended.
 * It makes itself non-dumpable so the script cannot reach its descriptors through /proc.
 * Python from the image's own standard library (isolated mode, no site packages).
 */
const ENTRY_PY = String.raw`
import os, select, signal, subprocess, sys, time
log_dir, half, output = sys.argv[1], int(sys.argv[2]), sys.argv[3]
command = sys.argv[4:]
signal.signal(signal.SIGTERM, signal.SIG_IGN)
try:
    import ctypes
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)
except Exception:
    pass
deadline = float(os.environ.get('CRUCIBLE_DEADLINE') or 0)
state = {'kept': 0, 'dropped': 0, 'tail': bytearray(), 'dirty': False}
def write(name, data, mode='ab'):
    try:
        with open(os.path.join(log_dir, name), mode) as f:
            f.write(data)
    except OSError:
        pass
# First thing: the command has started (a restarted worker tells a started command from one that never was).
write('started', b'', 'wb')
def flush():
    write('tail.tmp', b'%d\n' % state['dropped'] + bytes(state['tail']), 'wb')
    try:
        os.replace(os.path.join(log_dir, 'tail.tmp'), os.path.join(log_dir, 'tail'))
    except OSError:
        pass
    state['dirty'] = False
def take(chunk):
    room = max(0, half - state['kept'])
    if room:
        write('head', chunk[:room])
        state['kept'] += len(chunk[:room])
        chunk = chunk[room:]
    if chunk:
        tail = state['tail']
        tail += chunk
        if len(tail) > half:
            state['dropped'] += len(tail) - half
            del tail[:len(tail) - half]
        state['dirty'] = True
try:
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))
except OSError as error:
    take(('crucible: cannot start %r: %s\n' % (command, error)).encode())
    sys.exit(127)
fd = child.stdout.fileno()
pipe_open, exited_at, termed, flushed_at = True, None, False, 0.0
while True:
    now = time.time()
    if deadline and now >= deadline and not termed:
        termed = True
        try:
            os.kill(-1, signal.SIGTERM)
        except OSError:
            pass
    if exited_at is None and child.poll() is not None:
        exited_at = now
    if exited_at is not None and (not pipe_open or now - exited_at > 1):
        break
    if pipe_open and select.select([fd], [], [], 0.25)[0]:
        chunk = os.read(fd, 65536)
        if chunk:
            take(chunk)
        else:
            pipe_open = False
    elif not pipe_open:
        try:
            child.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            pass
    if state['dirty'] and now - flushed_at >= 1:
        flush()
        flushed_at = now
flush()
code = child.returncode
code = 128 - code if code < 0 else code
full = False
try:
    st = os.statvfs(output)
    full = st.f_favail == 0 or st.f_bavail * st.f_frsize < max(65536, st.f_blocks * st.f_frsize // 100)
except OSError:
    pass
line = b'crucible-entry: exit=%d output-full=%d deadline=%d\n' % (code, full, 1 if termed else 0)
# Also as a file: after a worker restart nobody listens on the exec's stream, and the engine then
# reports the exec's own exit code as 126, whatever the entry returned.
write('status', line, 'wb')
try:
    os.write(1, line)
except OSError:
    pass
sys.exit(code)
`;

/** The entry's final stdout line (read by the runner from the exec's own stream). */
export const ENTRY_STATUS = /crucible-entry: exit=(\d+) output-full=([01])(?: deadline=([01]))?/;

/** File names the entry writes under SANDBOX_PATHS.log. */
export const ENTRY_LOG_FILES = { head: 'head', tail: 'tail', status: 'status', started: 'started' } as const;

/** The command that runs `command` under the entry, keeping at most logMaxBytes of its output. */
export function entryCommand(command: string[], logMaxBytes: number): string[] {
  const half = Math.max(1, Math.floor(logMaxBytes / 2));
  return ['python3', '-I', '-S', '-c', ENTRY_PY, SANDBOX_PATHS.log, String(half), SANDBOX_PATHS.output, ...command];
}

/**
 * Joins the entry's two log files into the log a miner sees: the head, a line saying how much was
 * dropped (when anything was), the tail. `tail` starts with the dropped byte count on its own line.
 */
export function joinEntryLog(head: Buffer, tail: Buffer | null, maxBytes: number): Buffer {
  if (!tail) return head.subarray(0, maxBytes);
  const newline = tail.indexOf(0x0a);
  const dropped = newline > 0 ? Number(tail.subarray(0, newline).toString('latin1')) : 0;
  const body = tail.subarray(newline + 1);
  const marker = Number.isFinite(dropped) && dropped > 0 ? Buffer.from(`\n[crucible: ${dropped} bytes of output dropped here]\n`) : Buffer.alloc(0);
  return Buffer.concat([head, marker, body]).subarray(0, maxBytes + marker.length);
}
