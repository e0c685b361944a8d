import { MigrationInterface, QueryRunner } from 'typeorm';

/** Audit events are evidence: the database itself refuses to change or delete them. */
export class AuditEventsAppendOnly1795317228492 implements MigrationInterface {
  name = 'AuditEventsAppendOnly1795317228492';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION crucible_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only';
      END;
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON "audit_events"
      FOR EACH ROW EXECUTE FUNCTION crucible_refuse_audit_change()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER audit_events_append_only ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION crucible_refuse_audit_change()`);
  }
}
