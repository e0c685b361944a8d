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
}
