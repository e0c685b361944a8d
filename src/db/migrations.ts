import { Initial1795317043500 } from '../../migrations/1795317043500-Initial';
import { AuditEventsAppendOnly1795317043600 } from '../../migrations/1795317043600-AuditEventsAppendOnly';

/**
 * Migrations in order. Generated with `npm run migration:generate -- migrations/Name` against a
 * database at the latest migration, reviewed, and never edited after landing. Add new ones here.
 */
export const MIGRATIONS = [Initial1795317043500, AuditEventsAppendOnly1795317043600];
