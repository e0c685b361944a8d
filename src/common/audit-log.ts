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
  /** Appends one event, inside the caller's transaction when there is one (Transactor). */
  abstract append(event: AuditEventInput): Promise<void>;
}
