import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { EventOutboxRepository } from './event-outbox.repository';
import type { CrucibleEvent } from './events.types';

/** Outbox rows read per query. */
const BATCH = 1000;
/** Recent events kept in memory for the clients of this process; older ones are read from the outbox. */
const RING = 4096;
const PRUNE_EVERY_MS = 10 * 60_000;
/**
 * Xids are server-wide: a transaction left open elsewhere on the server (a console session, another
 * database's job) would hold a rolled-back id's gap forever. Crucible's own writes commit in well under
 * this, so a gap still open after it is taken as rolled back.
 */
const GAP_MAX_WAIT_MS = 60_000;

/**
 * Tails the outbox for this process's event-stream clients. The frontier only moves over ids whose
 * fate is known: a missing id below a visible one belongs to a transaction still in flight (it will
 * appear) or to one that rolled back (it never will); it is skipped only once every transaction that
 * was running when the gap was seen has ended (or after GAP_MAX_WAIT_MS). So ids reach clients in
 * order and none is passed over.
 */
@Injectable()
export class EventFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EventFeed.name);
  private frontierId = 0;
  private ring: CrucibleEvent[] = [];
  /** Every event with ringFloor < id <= frontier is in the ring. */
  private ringFloor = 0;
  /** A gap seen below `upTo`: settled once the snapshot's xmin reaches `xmax`. */
  private gap?: { upTo: number; xmax: bigint; seenAt: number };
  private readonly listeners = new Set<() => void>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private lastPrune = Date.now();

  constructor(
    private readonly outbox: EventOutboxRepository,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.frontierId = this.ringFloor = await this.outbox.lastId();
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** The last id every client of this process may be sent. */
  get frontier(): number {
    return this.frontierId;
  }

  /** Calls `listener` whenever the frontier moves; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Up to `limit` events after `cursor` from memory, or null when they are older than the ring holds. */
  recent(cursor: number, limit: number): CrucibleEvent[] | null {
    if (cursor < this.ringFloor) return null;
    let lo = 0;
    let hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ring[mid].id <= cursor) lo = mid + 1;
      else hi = mid;
    }
    return this.ring.slice(lo, lo + limit);
  }

  /** Reads what committed since the last poll (tests and the timer call it; calls never overlap). */
  async poll(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.drain().finally(() => (this.running = undefined));
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.poll()
        .then(() => this.pruneWhenDue())
        .catch((error: unknown) => this.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'reading the event outbox failed'))
        .finally(() => this.schedule());
    }, this.config.events.pollMs);
  }

  private async drain(): Promise<void> {
    while (!this.stopped && (await this.step())) {
      // a full batch: more may be waiting
    }
  }

  /** One read; true when a full batch came and the frontier moved (read again at once). */
  private async step(): Promise<boolean> {
    const snapshot = await this.outbox.snapshot();
    let settled = this.frontierId;
    if (this.gap && (snapshot.xmin >= this.gap.xmax || Date.now() - this.gap.seenAt > GAP_MAX_WAIT_MS)) {
      settled = Math.max(settled, this.gap.upTo);
      this.gap = undefined;
    }
    const rows = await this.outbox.after(this.frontierId, BATCH);
    const fresh: CrucibleEvent[] = [];
    let next = this.frontierId;
    for (const event of rows) {
      if (event.id !== next + 1 && event.id > settled) break;
      fresh.push(event);
      next = event.id;
    }
    const sawSettledRange = rows.length < BATCH || rows[rows.length - 1].id >= settled;
    if (settled > next && sawSettledRange) next = settled;
    const blocked = rows.filter((e) => e.id > next);
    if (blocked.length > 0 && !this.gap) {
      // Taken after the read: every transaction that took an id below the last one seen has an xid below this xmax.
      this.gap = { upTo: blocked[blocked.length - 1].id, xmax: (await this.outbox.snapshot()).xmax, seenAt: Date.now() };
    }
    if (next === this.frontierId) return false;
    this.advance(next, fresh);
    return rows.length === BATCH;
  }

  private advance(frontier: number, fresh: CrucibleEvent[]): void {
    this.ring.push(...fresh);
    if (this.ring.length > RING) {
      const dropped = this.ring.splice(0, this.ring.length - RING);
      this.ringFloor = dropped[dropped.length - 1].id;
    }
    this.frontierId = frontier;
    for (const listener of this.listeners) listener();
  }

  private async pruneWhenDue(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    const pruned = await this.outbox.pruneOlderThan(this.config.events.retentionHours);
    if (pruned > 0) this.logger.log({ pruned, retentionHours: this.config.events.retentionHours }, 'pruned old events');
  }
}
