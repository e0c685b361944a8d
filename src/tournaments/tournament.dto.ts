import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '../common/pagination';
import { TOURNAMENT_STATES, TournamentState } from './tournament-state';
import type { TournamentEntity } from './tournament.entity';
import type { RoundEntity } from './round.entity';
import type { TaskEntity } from './task.entity';
import type { RoundDecisionRecord } from './round-decision';

export class TournamentQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) type?: string;
  @ApiPropertyOptional({ enum: TOURNAMENT_STATES }) @IsOptional() @IsIn(TOURNAMENT_STATES) state?: TournamentState;
}

export class SimilarityQueryDto {
  @ApiPropertyOptional({ description: 'Pairs at or above this similarity are listed (default 0.5)', minimum: 0, maximum: 1 })
  @IsOptional()
  @Type(() => Number)
  @Min(0)
  @Max(1)
  threshold?: number;
}

export class CreateTournamentDto {
  @ApiProperty({ example: 'text', description: 'Tournament type (its own cycles and weight pool)' })
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{0,63}$/, { message: 'type must be lowercase letters, digits and dashes' })
  type!: string;

  @ApiPropertyOptional({ description: 'When registration opens (ISO 8601); default now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  registrationOpensAt?: string;

  @ApiPropertyOptional({ description: 'Registration window length in minutes; default from the rulebook' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60 * 24 * 14)
  registrationMinutes?: number;
}

export class CancelTournamentDto {
  @ApiProperty({ description: 'Why the tournament is cancelled (recorded in the audit log)' })
  @IsString()
  @MaxLength(500)
  reason!: string;
}

export class TournamentDto {
  @ApiProperty() id!: string;
  @ApiProperty() type!: string;
  @ApiProperty() cycle!: number;
  @ApiProperty({ enum: TOURNAMENT_STATES }) state!: TournamentState;
  @ApiPropertyOptional({ nullable: true, type: String }) stateReason!: string | null;
  @ApiProperty() rulebookVersion!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) rulebook!: Record<string, unknown>;
  @ApiProperty() registrationOpensAt!: string;
  @ApiProperty() registrationClosesAt!: string;
  @ApiProperty() endsBy!: string;
  @ApiPropertyOptional({ nullable: true, type: Object }) defendingChampion!: Record<string, unknown> | null;
  @ApiPropertyOptional({ nullable: true, type: String }) winnerEntrantId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Object }) publication!: Record<string, unknown> | null;
  @ApiPropertyOptional({ nullable: true, type: String }) startedAt!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) finishedAt!: string | null;

  static from(t: TournamentEntity): TournamentDto {
    return {
      id: t.id,
      type: t.type,
      cycle: t.cycle,
      state: t.state,
      stateReason: t.stateReason,
      rulebookVersion: t.rulebookVersion,
      rulebook: t.rulebook,
      registrationOpensAt: t.registrationOpensAt.toISOString(),
      registrationClosesAt: t.registrationClosesAt.toISOString(),
      endsBy: t.endsBy.toISOString(),
      defendingChampion: t.defendingChampion ? { ...t.defendingChampion } : null,
      winnerEntrantId: t.winnerEntrantId,
      publication: t.publication,
      startedAt: t.startedAt?.toISOString() ?? null,
      finishedAt: t.finishedAt?.toISOString() ?? null,
    };
  }
}

export class RoundDto {
  @ApiProperty() id!: string;
  @ApiProperty() index!: number;
  @ApiProperty({ enum: ['group', 'knockout', 'boss'] }) kind!: string;
  @ApiProperty({ enum: ['running', 'waiting_infra', 'decided'] }) state!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) stateReason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: [String] }) advancing!: string[] | null;
  @ApiPropertyOptional({ nullable: true, type: Object }) decision!: RoundDecisionRecord | null;
  @ApiPropertyOptional({ nullable: true, type: String }) decidedAt!: string | null;

  static from(r: RoundEntity): RoundDto {
    return {
      id: r.id,
      index: r.index,
      kind: r.kind,
      state: r.state,
      stateReason: r.stateReason,
      advancing: r.advancing,
      decision: r.decision,
      decidedAt: r.decidedAt?.toISOString() ?? null,
    };
  }
}

/** A task as the public sees it: commitments always, the seed only once revealed. */
export class TaskDto {
  @ApiProperty() id!: string;
  @ApiProperty() roundId!: string;
  @ApiProperty() slot!: number;
  @ApiProperty() taskType!: string;
  @ApiProperty() datasetId!: string;
  @ApiProperty({
    enum: ['public', 'generated', 'private', 'unknown'],
    description: 'public: the corpus is published and the test split can be recovered by a miner; generated: made from the secret task seed; private: the organiser\'s own files',
  })
  datasetVisibility!: string;
  @ApiProperty({ description: 'Why the dataset has that visibility' }) datasetNote!: string;
  @ApiProperty() baseModel!: string;
  @ApiProperty() timeLimitSeconds!: number;
  @ApiProperty() hardware!: string;
  @ApiProperty() seedCommitment!: string;
  @ApiProperty() testSetCommitment!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) revealedSeed!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) revealedAt!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) spec!: Record<string, unknown>;

  static from(t: TaskEntity, dataset: { visibility: string; note: string }): TaskDto {
    return {
      id: t.id,
      roundId: t.roundId,
      slot: t.slot,
      taskType: t.taskType,
      datasetId: t.datasetId,
      datasetVisibility: dataset.visibility,
      datasetNote: dataset.note,
      baseModel: t.baseModel,
      timeLimitSeconds: t.timeLimitSeconds,
      hardware: t.hardware,
      seedCommitment: t.seedCommitment,
      testSetCommitment: t.testSetCommitment,
      revealedSeed: t.revealedSeed,
      revealedAt: t.revealedAt?.toISOString() ?? null,
      spec: t.spec,
    };
  }
}
