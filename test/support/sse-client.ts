import * as http from 'node:http';

export interface SseEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

export interface SseClient {
  readonly status: Promise<number>;
  readonly events: SseEvent[];
  /** Comment lines seen (heartbeats). */
  readonly comments: string[];
  /** Resolves when the server ends or drops the stream. */
  readonly ended: Promise<void>;
  /** Resolves once `n` events arrived (or the stream ended). */
  waitFor(n: number): Promise<void>;
  close(): void;
  socket(): import('node:net').Socket | null;
}

/**
 * A minimal EventSource for tests and benchmarks: a plain HTTP GET whose body is parsed by the
 * text/event-stream rules (blocks separated by a blank line; `id:`, `event:`, `data:`, `:` comments).
 */
export function openEventStream(url: string, headers: Record<string, string> = {}, agent?: http.Agent): SseClient {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let done = false;
  let sock: import('node:net').Socket | null = null;
  let resolveStatus!: (s: number) => void;
  let resolveEnded!: () => void;
  const status = new Promise<number>((r) => (resolveStatus = r));
  const ended = new Promise<void>((r) => (resolveEnded = r));
  const settle = () => {
    for (const w of [...waiters]) {
      if (done || events.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const finish = () => {
    done = true;
    settle();
    resolveEnded();
  };
  const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers }, agent }, (res) => {
    resolveStatus(res.statusCode ?? 0);
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line.slice(1).trim());
          else {
            const i = line.indexOf(':');
            if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1).trimStart();
          }
        }
        if (fields.id !== undefined && fields.data !== undefined) {
          events.push({ id: Number(fields.id), event: fields.event ?? 'message', data: JSON.parse(fields.data) });
        }
      }
      settle();
    });
    res.on('end', finish);
    res.on('close', finish);
    res.on('error', finish);
  });
  req.on('socket', (s) => (sock = s));
  req.on('error', () => {
    resolveStatus(0);
    finish();
  });
  return {
    status,
    events,
    comments,
    ended,
    waitFor: (n) => new Promise<void>((resolve) => {
      waiters.push({ n, resolve });
      settle();
    }),
    close: () => req.destroy(),
    socket: () => sock,
  };
}
