import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { RejectionEvidence } from '../evaluation/task-data';
import type { RunOutcome, RunState } from './run-state';


@Entity('training_runs')
@Index('idx_runs_task_entrant_attempt', ['taskId', 'entrantId', 'attempt'], { unique: true })
@Index('idx_runs_state', ['state', 'queuedAt'])
export class TrainingRunEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tournamentId!: string;
  @Column('uuid') taskId!: string;
  @Column('uuid') entrantId!: string;
  @Column('int') attempt!: number;
  @Column('varchar', { length: 16 }) state!: RunState;
  @Column('varchar', { length: 16, nullable: true }) outcome!: RunOutcome | null;
  /** Human-readable reason shown to the miner. */
  @Column('text', { nullable: true }) outcomeReason!: string | null;
  @Column('varchar', { length: 16 }) hardware!: string;
  @Column('varchar', { length: 16, nullable: true }) runnerKind!: string | null;
  /** Container id or Job name, for adoption after a restart. */
  @Column('varchar', { length: 256, nullable: true }) runnerRef!: string | null;
  @Column('varchar', { length: 128, nullable: true }) imageDigest!: string | null;
  @Column('int', { nullable: true }) exitCode!: number | null;
  @Column('char', { length: 64, nullable: true }) artifactSha256!: string | null;
  @Column('text', { nullable: true }) artifactPath!: string | null;
  @Column('text', { nullable: true }) logPath!: string | null;
  /** The sandbox's combined stdout/stderr, capped (CRUCIBLE_SANDBOX_LOG_MAX_KB), so any API replica serves it; read only by the log route. */
  @Column('text', { nullable: true, select: false }) log!: string | null;
  /** Facts behind a rejection, e.g. the causality check's offending example and position. */
  @Column('jsonb', { nullable: true }) evidence!: RejectionEvidence | null;
  @Column('varchar', { length: 128, nullable: true }) claimedBy!: string | null;
  @Column('timestamptz', { nullable: true }) leaseExpiresAt!: Date | null;
  @Column('timestamptz') queuedAt!: Date;
  @Column('timestamptz', { nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) finishedAt!: Date | null;
}
