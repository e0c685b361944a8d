import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TypeScheduleDto } from './schedule.dto';
import { ScheduleService } from './schedule.service';

@ApiTags('tournaments')
@Controller('api/schedule')
export class ScheduleController {
  constructor(private readonly schedule: ScheduleService) {}

  @Get()
  @ApiOperation({ summary: "Each tournament type's next cycles: the one on record with its dates, then projected opening windows" })
  @ApiOkResponse({ type: [TypeScheduleDto] })
  async upcoming(): Promise<TypeScheduleDto[]> {
    return (await this.schedule.upcoming()).map(TypeScheduleDto.from);
  }
}
