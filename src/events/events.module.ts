import { Module } from '@nestjs/common';
import { EventFeed } from './event-feed.service';
import { EventOutboxRepository } from './event-outbox.repository';
import { EventsController } from './events.controller';

/**
 * The live event stream, served by API processes. The database writes the events (outbox triggers,
 * in the transaction of each change), so whichever process changed a run, every API replica sees it.
 */
@Module({
  controllers: [EventsController],
  providers: [EventOutboxRepository, EventFeed],
})
export class EventsModule {}
