import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ValidationError } from '../common/domain-error';
import { AuditRecomputeService } from './audit-recompute.service';
import { DashboardQueriesService } from './dashboard-queries.service';
import type { AuditRecomputeView, MinerView, RunView, TournamentBoard, WeightSetView } from './dashboard.types';

/** Read-only views for the web dashboard, where the public routes do not give a page's data in one request. */
@ApiTags('dashboard')
@Controller('api/dashboard')
export class DashboardController {
  constructor(
    private readonly queries: DashboardQueriesService,
    private readonly audit: AuditRecomputeService,
  ) {}

  @Get('tournaments/:id/board')
  @ApiOperation({ summary: "A tournament's timeline (from the audit log), round times, every run with its entrant, round and score, and the base models' scores" })
  board(@Param('id', ParseUUIDPipe) id: string): Promise<TournamentBoard> {
    return this.queries.tournamentBoard(id);
  }

  @Get('runs/:id')
  @ApiOperation({ summary: "A run's context: entrant, round, task, state history, limits, evaluation and attempts" })
  run(@Param('id', ParseUUIDPipe) id: string): Promise<RunView> {
    return this.queries.run(id);
  }

  @Get('miners/:hotkey')
  @ApiOperation({ summary: "A hotkey's entries across tournaments (newest first) and the weight each weight set gave it" })
  miner(@Param('hotkey') hotkey: string): Promise<MinerView> {
    if (!/^[\w-]{1,64}$/.test(hotkey)) throw new ValidationError('hotkey must be 1 to 64 letters, digits, _ or -', ['hotkey']);
    return this.queries.miner(hotkey);
  }

  @Get('weight-sets')
  @ApiQuery({ name: 'limit', required: false, description: 'newest N weight sets (1-500, default 50)' })
  @ApiOperation({ summary: 'Weight sets, newest first, with their status, block and whether the chain read-back matches' })
  weightSets(@Query('limit') limitText?: string): Promise<WeightSetView[]> {
    const limit = limitText === undefined ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationError('limit must be an integer between 1 and 500', ['limit']);
    return this.queries.weightSets(limit);
  }

  @Get('audit/recompute')
  @ApiOperation({ summary: "This service's own recompute of its sealed bundles of the last 7 days (what `crucible audit` checks)" })
  recompute(): Promise<AuditRecomputeView> {
    return this.audit.lastRecompute();
  }
}
