import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AdminGuard } from '../common/admin.guard';
import { mapPage, Page, PageQueryDto } from '../common/pagination';
import { RunDto, RunQueryDto } from '../runs/run.dto';
import { EntrantDto } from '../submissions/submission.dto';
import { TournamentAdminService } from './tournament-admin.service';
import { TournamentQueriesService } from './tournament-queries.service';
import { DEFAULT_SIMILARITY_THRESHOLD } from '../submissions/code-similarity';
import { SimilarityReport, SimilarityReportService } from '../submissions/similarity-report.service';
import { CancelTournamentDto, CreateTournamentDto, RoundDto, SimilarityQueryDto, TaskDto, TournamentDto, TournamentQueryDto } from './tournament.dto';
import { LeaderboardService } from './leaderboard.service';

@ApiTags('tournaments')
@Controller('api/tournaments')
export class TournamentsController {
  constructor(
    private readonly queries: TournamentQueriesService,
    private readonly admin: TournamentAdminService,
    private readonly similarityReports: SimilarityReportService,
    private readonly leaderboards: LeaderboardService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List tournaments, newest first' })
  async list(@Query() q: TournamentQueryDto): Promise<Page<TournamentDto>> {
    return mapPage(await this.queries.list({ type: q.type, state: q.state }, q), TournamentDto.from);
  }

  @Get(':id')
  @ApiOkResponse({ type: TournamentDto })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<TournamentDto> {
    return TournamentDto.from(await this.queries.get(id));
  }

  @Get(':id/rounds')
  @ApiOkResponse({ type: [RoundDto] })
  async rounds(@Param('id', ParseUUIDPipe) id: string): Promise<RoundDto[]> {
    return (await this.queries.rounds(id)).map(RoundDto.from);
  }

  @Get(':id/tasks')
  @ApiOperation({ summary: 'Tasks with their published seed and test-set commitments (seeds once revealed)' })
  @ApiOkResponse({ type: [TaskDto] })
  async tasks(@Param('id', ParseUUIDPipe) id: string): Promise<TaskDto[]> {
    return (await this.queries.tasks(id)).map((t) => TaskDto.from(t, this.queries.datasetVisibility(t.datasetId)));
  }

  @Get(':id/entrants')
  async entrants(@Param('id', ParseUUIDPipe) id: string, @Query() q: PageQueryDto): Promise<Page<EntrantDto>> {
    return mapPage(await this.queries.entrants(id, q), EntrantDto.from);
  }

  @Get(':id/runs')
  async runs(@Param('id', ParseUUIDPipe) id: string, @Query() q: RunQueryDto): Promise<Page<RunDto>> {
    const page = await this.queries.runsOf(id, { taskId: q.taskId, entrantId: q.entrantId, state: q.state }, q);
    return mapPage(page, RunDto.from);
  }

  @Get(':id/leaderboard')
  @ApiOperation({ summary: 'Live standings; the final ranking once finalised. ETag per standings version: If-None-Match answers 304 while nothing changed' })
  async leaderboard(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const view = await this.leaderboards.view(id);
    res.setHeader('ETag', view.etag);
    res.setHeader('Cache-Control', 'no-cache');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.status(200).type('application/json').send(view.json);
  }

  @Get(':id/similarity')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: "Code similarity of the entrants' repositories (admin): winnowed fingerprints; it flags, it does not disqualify" })
  async similarity(@Param('id', ParseUUIDPipe) id: string, @Query() q: SimilarityQueryDto): Promise<SimilarityReport> {
    await this.queries.get(id);
    return this.similarityReports.report(id, q.threshold ?? DEFAULT_SIMILARITY_THRESHOLD);
  }

  @Post()
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Schedule a tournament (admin)' })
  async create(@Body() body: CreateTournamentDto): Promise<TournamentDto> {
    return TournamentDto.from(await this.admin.create(body));
  }

  @Post(':id/close-registration')
  @HttpCode(200)
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Close the registration window now (admin, audit-logged)' })
  async closeRegistration(@Param('id', ParseUUIDPipe) id: string): Promise<TournamentDto> {
    return TournamentDto.from(await this.admin.closeRegistration(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Cancel a tournament (admin, audit-logged)' })
  async cancel(@Param('id', ParseUUIDPipe) id: string, @Body() body: CancelTournamentDto): Promise<TournamentDto> {
    return TournamentDto.from(await this.admin.cancel(id, body.reason));
  }
}
