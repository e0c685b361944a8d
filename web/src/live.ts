import { useEffect, useRef, useState } from 'react';

export type EventKind = 'run' | 'round' | 'tournament' | 'weights';

export interface LiveEvent {
  kind: EventKind;
  data: Record<string, unknown>;
}

const KINDS: EventKind[] = ['run', 'round', 'tournament', 'weights'];

/** Events arriving together (a round deciding finishes many runs) cause one refetch. */
const COALESCE_MS = 250;

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

/**
 * Subscribes to the server-sent events at /api/events (optionally for one tournament) and calls
 * `onChange` once per burst of events that `affects` accepts, and once the stream is open. The
 * browser's EventSource reconnects by itself and resumes with Last-Event-ID.
 */
export function useLiveEvents(opts: { tournamentId?: string; affects: (e: LiveEvent) => boolean; onChange: () => void }): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const handlers = useRef(opts);
  handlers.current = opts;

  useEffect(() => {
    const url = opts.tournamentId ? `/api/events?tournamentId=${encodeURIComponent(opts.tournamentId)}` : '/api/events';
    const source = new EventSource(url);
    let timer: ReturnType<typeof setTimeout> | null = null;
    const changed = () => {
      if (timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        handlers.current.onChange();
      }, COALESCE_MS);
    };
    const listener = (kind: EventKind) => (message: MessageEvent<string>) => {
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(message.data) as Record<string, unknown>;
      } catch {
        return;
      }
      if (handlers.current.affects({ kind, data })) changed();
    };
    const listeners = KINDS.map((kind) => [kind, listener(kind)] as const);
    for (const [kind, fn] of listeners) source.addEventListener(kind, fn);
    // A first connection carries no Last-Event-ID, so it only gets events from now on: whatever changed
    // between the page's first fetch and this moment is fetched again.
    source.onopen = () => {
      setStatus('live');
      changed();
    };
    source.onerror = () => setStatus('reconnecting');
    return () => {
      if (timer !== null) clearTimeout(timer);
      for (const [kind, fn] of listeners) source.removeEventListener(kind, fn);
      source.close();
    };
  }, [opts.tournamentId]);

  return status;
}
