import type { EnvReader } from '../env-reader';

/** The live event stream (GET /api/events). */
export interface EventsConfig {
  /** How often an API process reads new events from the outbox. */
  pollMs: number;
  /** Comment line sent to idle server-sent-event clients so proxies keep the stream open. */
  heartbeatMs: number;
  /** Events older than this are pruned; a client resuming from before then misses them. */
  retentionHours: number;
  /** A client that cannot take its events and falls this many behind is disconnected (it resumes with Last-Event-ID). */
  maxClientLag: number;
}

export function readEventsConfig(r: EnvReader): EventsConfig {
  return {
    pollMs: r.int('CRUCIBLE_EVENTS_POLL_MS', 500, 10, 60_000),
    heartbeatMs: r.int('CRUCIBLE_EVENTS_HEARTBEAT_MS', 15_000, 50, 600_000),
    retentionHours: r.int('CRUCIBLE_EVENTS_RETENTION_HOURS', 72, 1, 24 * 365),
    maxClientLag: r.int('CRUCIBLE_EVENTS_CLIENT_MAX_LAG', 10_000, 1, 10_000_000),
  };
}
