import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEventInput, AuditLog } from '../common/audit-log';
import { AuditEventEntity } from './audit-event.entity';

/** Appends to the audit log; nothing here updates or deletes (the database refuses it anyway). */
@Injectable()
export class AuditEventRepository extends AuditLog {
  constructor(private readonly ds: DataSource) {
    super();
  }

  async append(event: AuditEventInput, manager: EntityManager = this.ds.manager): Promise<void> {
    const repo = manager.getRepository(AuditEventEntity);
    await repo.save(repo.create(event));
  }

  async listForSubject(subjectType: string, subjectId: string): Promise<AuditEventEntity[]> {
    return this.ds.getRepository(AuditEventEntity).find({
      where: { subjectType, subjectId },
      order: { id: 'ASC' },
    });
  }

  async listBetween(from: Date, to: Date): Promise<AuditEventEntity[]> {
    return this.ds
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .where('e.occurredAt >= :from AND e.occurredAt < :to', { from, to })
      .orderBy('e.id', 'ASC')
      .getMany();
  }
}
