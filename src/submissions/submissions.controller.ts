import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateSubmissionDto, EntrantDto } from './submission.dto';
import { SubmissionsService } from './submissions.service';

@ApiTags('submissions')
@Controller('api/submissions')
export class SubmissionsController {
  constructor(private readonly submissions: SubmissionsService) {}

  @Post()
  @ApiOperation({ summary: 'Enter a tournament with a repo pinned at a commit, signed with the hotkey (see README)' })
  @ApiCreatedResponse({ type: EntrantDto })
  async submit(@Body() body: CreateSubmissionDto): Promise<EntrantDto> {
    return EntrantDto.from(await this.submissions.submit(body));
  }

  @Get(':id')
  @ApiOkResponse({ type: EntrantDto })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<EntrantDto> {
    return EntrantDto.from(await this.submissions.get(id));
  }
}
