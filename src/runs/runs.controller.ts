import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '../common/domain-error';
import { RunDto } from './run.dto';
import { RunRepository } from './run.repository';

@ApiTags('runs')
@Controller('api/runs')
export class RunsController {
  constructor(private readonly runs: RunRepository) {}

  @Get(':id')
  @ApiOkResponse({ type: RunDto })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<RunDto> {
    const run = await this.runs.findById(id);
    if (!run) throw new NotFoundError('run', id);
    return RunDto.from(run);
  }
}
