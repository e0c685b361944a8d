import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID, Matches } from 'class-validator';

export class EventsQueryDto {
  @ApiPropertyOptional({ description: 'only events of this tournament (weight sets belong to none)', format: 'uuid' })
  @IsOptional()
  @IsUUID()
  tournamentId?: string;

  @ApiPropertyOptional({ description: 'resume after this event id, for clients that cannot set the Last-Event-ID header' })
  @IsOptional()
  @Matches(/^\d{1,15}$/, { message: 'lastEventId must be a non-negative integer' })
  lastEventId?: string;
}
