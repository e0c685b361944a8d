import type { EntityManager } from 'typeorm';

export interface AuditEventInput {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

/**
 * The append-only audit log as the folders that record into it see it (submissions, runs,
 * tournaments): they sit below audit, so the port lives here and audit's repository implements it.
 */
export abstract class AuditLog {
  /** Appends one event, inside `manager`'s transaction when one is given. */
  abstract append(event: AuditEventInput, manager?: EntityManager): Promise<void>;
}
