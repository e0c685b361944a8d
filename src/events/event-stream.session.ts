import type { Response } from 'express';
import { EventFeed } from './event-feed.service';
import { EventOutboxRepository } from './event-outbox.repository';
import type { CrucibleEvent } from './events.types';

const BATCH = 500;

export interface StreamOptions {
  /** Send events after this id (Last-Event-ID), or only new ones when null. */
  lastEventId: number | null;
  tournamentId?: string;
  heartbeatMs: number;
  maxLag: number;
}

/** The SSE wire form: one event per block, data on one line (JSON has no raw newline). */
export function formatEvent(event: CrucibleEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/**
 * One client's server-sent-event stream. Events are pulled (from the feed's memory, or the outbox for
 * a client far behind) only while the socket takes them: a client that does not read leaves at most
 * the socket's high-water mark buffered here. Once it is `maxLag` events behind it is disconnected;
 * it comes back with Last-Event-ID.
 */
export class EventStreamSession {
  private cursor: number;
  private pumping = false;
  private blocked = false;
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly feed: EventFeed,
    private readonly outbox: EventOutboxRepository,
    private readonly res: Response,
    private readonly options: StreamOptions,
  ) {
    this.cursor = options.lastEventId ?? feed.frontier;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Reverse proxies (nginx) must not buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    res.write(`retry: 2000\n\n`);
    this.unsubscribe = feed.subscribe(() => this.onAdvance());
    this.heartbeat = setInterval(() => {
      if (!this.blocked) res.write(`: heartbeat\n\n`);
    }, options.heartbeatMs);
    res.on('close', () => this.close());
    void this.pump();
  }

  private onAdvance(): void {
    if (this.blocked && this.feed.frontier - this.cursor > this.options.maxLag) {
      this.res.destroy();
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.blocked) return;
    this.pumping = true;
    try {
      while (!this.closed && this.cursor < this.feed.frontier) {
        const upTo = this.feed.frontier;
        const batch = this.feed.recent(this.cursor, BATCH) ?? (await this.outbox.after(this.cursor, BATCH, upTo));
        for (const event of batch) {
          this.cursor = event.id;
          if (this.wanted(event) && !this.res.write(formatEvent(event))) {
            await this.drained();
            if (this.closed) return;
          }
        }
        // A short batch reached the frontier it was read against; the ids between are rolled back or pruned.
        if (batch.length < BATCH) this.cursor = Math.max(this.cursor, upTo);
      }
    } catch {
      // The outbox could not be read: the client reconnects and resumes from its last id.
      this.res.destroy();
    } finally {
      this.pumping = false;
    }
  }

  private wanted(event: CrucibleEvent): boolean {
    return this.options.tournamentId === undefined || event.tournamentId === this.options.tournamentId;
  }

  private drained(): Promise<void> {
    this.blocked = true;
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        this.blocked = false;
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.unsubscribe();
  }
}
