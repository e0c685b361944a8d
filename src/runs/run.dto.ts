import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../common/pagination';
import { RUN_OUTCOMES, RUN_STATES, RunState } from './run-state';
import type { TrainingRunEntity } from './training-run.entity';

export class RunQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsUUID() taskId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() entrantId?: string;
  @ApiPropertyOptional({ enum: RUN_STATES }) @IsOptional() @IsIn(RUN_STATES) state?: RunState;
}

/** What a miner sees of a run: state, typed outcome and its reason, timings. Never host paths. */
export class RunDto {
  @ApiProperty() id!: string;
  @ApiProperty() tournamentId!: string;
  @ApiProperty() taskId!: string;
  @ApiProperty() entrantId!: string;
  @ApiProperty() attempt!: number;
  @ApiProperty({ enum: RUN_STATES }) state!: string;
  @ApiPropertyOptional({ enum: RUN_OUTCOMES, nullable: true }) outcome!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) outcomeReason!: string | null;
  @ApiProperty() hardware!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) runnerKind!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) imageDigest!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) exitCode!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) artifactSha256!: string | null;
  @ApiProperty() queuedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) startedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) finishedAt!: string | null;

  static from(r: TrainingRunEntity): RunDto {
    return {
      id: r.id,
      tournamentId: r.tournamentId,
      taskId: r.taskId,
      entrantId: r.entrantId,
      attempt: r.attempt,
      state: r.state,
      outcome: r.outcome,
      outcomeReason: r.outcomeReason,
      hardware: r.hardware,
      runnerKind: r.runnerKind,
      imageDigest: r.imageDigest,
      exitCode: r.exitCode,
      artifactSha256: r.artifactSha256,
      queuedAt: r.queuedAt.toISOString(),
      startedAt: r.startedAt?.toISOString() ?? null,
      finishedAt: r.finishedAt?.toISOString() ?? null,
    };
  }
}
