import { ApiProperty } from '@nestjs/swagger';
import type { PlannedCycle } from './cycle-plan';
import type { TypeSchedule } from './schedule.service';

export class ScheduleRulesDto {
  @ApiProperty() registrationMinutes!: number;
  @ApiProperty({ description: 'Upper bound from registration close to completion (endsBy)' }) maxDurationHours!: number;
  @ApiProperty({ description: "Pause between one tournament's completion and the next registration" }) gapHours!: number;
  @ApiProperty({ required: false, description: 'A round not decided this long after it started is decided with the results it has' }) roundDeadlineMinutes?: number;
}

export class PlannedCycleDto {
  @ApiProperty() cycle!: number;
  @ApiProperty({ nullable: true, type: String, description: 'Set once the cycle is on record' }) tournamentId!: string | null;
  @ApiProperty({ nullable: true, type: String }) state!: string | null;
  @ApiProperty({ description: 'Earliest registration opening (exact for a cycle on record)' }) opensAt!: string;
  @ApiProperty({ description: 'Latest registration opening (every earlier cycle running to its endsBy)' }) opensBy!: string;
  @ApiProperty({ description: 'Latest end of its time budget' }) endsBy!: string;

  static from(c: PlannedCycle): PlannedCycleDto {
    return { cycle: c.cycle, tournamentId: c.tournamentId, state: c.state, opensAt: c.opensAt.toISOString(), opensBy: c.opensBy.toISOString(), endsBy: c.endsBy.toISOString() };
  }
}

export class TypeScheduleDto {
  @ApiProperty() type!: string;
  @ApiProperty({ description: 'Whether the worker creates the cycles by itself' }) autoSchedule!: boolean;
  @ApiProperty({ type: ScheduleRulesDto }) schedule!: ScheduleRulesDto;
  @ApiProperty({ type: [PlannedCycleDto], description: 'The cycle on record (if any), then projected ones' }) cycles!: PlannedCycleDto[];

  static from(s: TypeSchedule): TypeScheduleDto {
    return { type: s.type, autoSchedule: s.autoSchedule, schedule: { ...s.schedule }, cycles: s.cycles.map(PlannedCycleDto.from) };
  }
}
