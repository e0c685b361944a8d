import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config';
import { ValidationError } from '../common/domain-error';
import { EventFeed } from './event-feed.service';
import { EventOutboxRepository } from './event-outbox.repository';
import { EventStreamSession } from './event-stream.session';
import { EventsQueryDto } from './events-query.dto';

@ApiTags('events')
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly feed: EventFeed,
    private readonly outbox: EventOutboxRepository,
    private readonly config: AppConfig,
  ) {}

  /**
   * Server-sent events: `run`, `round`, `tournament` and `weights`, each with an increasing `id`.
   * A client that reconnects with Last-Event-ID (or `?lastEventId=`) gets every event it missed.
   */
  @Get()
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'resume after this event id' })
  @ApiOkResponse({
    description: '`id: <n>`, `event: run|round|tournament|weights`, `data: <JSON>`; a `: heartbeat` comment while idle',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  stream(@Query() query: EventsQueryDto, @Headers('last-event-id') header: string | undefined, @Res() res: Response): void {
    new EventStreamSession(this.feed, this.outbox, res, {
      lastEventId: lastEventId(header ?? query.lastEventId),
      tournamentId: query.tournamentId,
      heartbeatMs: this.config.events.heartbeatMs,
      maxLag: this.config.events.maxClientLag,
    });
  }
}

function lastEventId(raw: string | undefined): number | null {
  if (raw === undefined || raw.trim() === '') return null;
  if (!/^\d{1,15}$/.test(raw.trim())) throw new ValidationError('Last-Event-ID must be a non-negative integer', ['lastEventId']);
  return Number(raw.trim());
}
