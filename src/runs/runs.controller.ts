import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { TournamentQueriesService } from '../tournaments/tournament-queries.service';
import { RunDto } from './run.dto';

@ApiTags('runs')
@Controller('api/runs')
export class RunsController {
  constructor(private readonly queries: TournamentQueriesService) {}

  @Get(':id')
  @ApiOkResponse({ type: RunDto })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<RunDto> {
    return RunDto.from(await this.queries.run(id));
  }
}
