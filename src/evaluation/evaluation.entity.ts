import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { CausalityEvidence } from './task-types/causality';

/** A scored model: an entrant's run, or the task's base model (runId null = baseline). */
@Entity('evaluations')
@Index('idx_evaluations_task', ['taskId'])
@Index('idx_evaluations_run', ['runId'], { unique: true, where: '"runId" IS NOT NULL' })
@Index('idx_evaluations_baseline', ['taskId'], { unique: true, where: '"runId" IS NULL' })
export class EvaluationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') taskId!: string;
  @Column('uuid', { nullable: true }) runId!: string | null;
  @Column('varchar', { length: 64 }) metricName!: string;
  /** Lower is better for every loss metric. */
  @Column('double precision') metricValue!: number;
  @Column('double precision', { nullable: true }) accuracy!: number | null;
  @Column('int') exampleCount!: number;
  /** Per-example losses (little-endian float64) are stored as a file; its sha256 goes into the audit. */
  @Column('text') lossesPath!: string;
  @Column('char', { length: 64 }) lossesSha256!: string;
  @Column('char', { length: 64 }) modelSha256!: string;
  @Column('varchar', { length: 64 }) evaluatorVersion!: string;
  @Column('varchar', { length: 16 }) executionProvider!: string;
  /** The causality check this evaluation passed: its seeded sample and largest deviation (null: not a sequence task). */
  @Column('jsonb', { nullable: true }) causality!: CausalityEvidence | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
