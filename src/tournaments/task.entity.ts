import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { TaskType } from '../evaluation/task-data';

@Entity('tasks')
@Index('idx_tasks_round', ['roundId', 'slot'])
@Index('idx_tasks_tournament', ['tournamentId'])
export class TaskEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tournamentId!: string;
  @Column('uuid') roundId!: string;
  /** Group or pair number within the round; several boss tasks share slot 0. */
  @Column('int') slot!: number;
  /** Checked against the evaluator registry when the task is planned (parseTaskType). */
  @Column('varchar', { length: 32 }) taskType!: TaskType;
  @Column('varchar', { length: 128 }) datasetId!: string;
  @Column('varchar', { length: 256 }) baseModel!: string;
  @Column('int') timeLimitSeconds!: number;
  @Column('varchar', { length: 32 }) hardware!: string;
  /** sha256 of the seed, published at creation; the seed itself is revealed after the tournament. */
  @Column('char', { length: 64 }) seedCommitment!: string;
  /** sha256 of the canonical hidden test split, published at creation. */
  @Column('char', { length: 64 }) testSetCommitment!: string;
  /** The task's secret seed (decides the hidden split). Never served until revealedSeed is set. */
  @Column('varchar', { length: 128 }) secretSeed!: string;
  @Column('varchar', { length: 128, nullable: true }) revealedSeed!: string | null;
  @Column('timestamptz', { nullable: true }) revealedAt!: Date | null;
  /** Spec handed to the sandbox as /task/task.json (never contains the seed or test data). */
  @Column('jsonb') spec!: Record<string, unknown>;
  /** Host directory of the training split (the only data a sandbox sees). */
  @Column('text', { nullable: true }) trainDir!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
