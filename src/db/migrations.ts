import {  } from '../../migrations/.ts';
import { AuditEventsAppendOnly100 } from '../../migrations/100-AuditEventsAppendOnly';

/**
 * Migrations in order. Generated with `npm run migration:generate -- migrations/Name` against a
 * database at the latest migration, reviewed, and never edited after landing. Add new ones here.
 */
export const MIGRATIONS = [, AuditEventsAppendOnly100];
