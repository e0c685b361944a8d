import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only log of everything that decides money: a database trigger refuses UPDATE and DELETE. */
@Entity('audit_events')
@Index('idx_audit_events_at', ['occurredAt'])
@Index('idx_audit_events_subject', ['subjectType', 'subjectId'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column('timestamptz') occurredAt!: Date;
  /** "system", "worker:<id>" or "admin". */
  @Column('varchar', { length: 128 }) actor!: string;
  @Column('varchar', { length: 64 }) action!: string;
  @Column('varchar', { length: 32 }) subjectType!: string;
  @Column('varchar', { length: 64 }) subjectId!: string;
  @Column('jsonb') payload!: Record<string, unknown>;
}
