import { Injectable } from '@nestjs/common';
import { AuditEventInput, AuditLog } from '../common/audit-log';
import { TransactionContext } from '../common/transactor';
import { AuditEventEntity } from './audit-event.entity';

/** Appends to the audit log; nothing here updates or deletes (the database refuses it anyway). */
@Injectable()
export class AuditEventRepository extends AuditLog {
  constructor(private readonly db: TransactionContext) {
    super();
  }

  async append(event: AuditEventInput): Promise<void> {
    const repo = this.db.manager().getRepository(AuditEventEntity);
    await repo.save(repo.create(event));
  }
}
