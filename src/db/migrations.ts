import { Initial1795317228392 } from '../../migrations/1795317228392-Initial';
import { AuditEventsAppendOnly1795317228492 } from '../../migrations/1795317228492-AuditEventsAppendOnly';
import { TaskSeedsChampionEntries1795317703626 } from '../../migrations/1795317703626-TaskSeedsChampionEntries';
import { ChainMetagraphAuditBundles1795318386228 } from '../../migrations/1795318386228-ChainMetagraphAuditBundles';
import { WeightSetBasis1795400200000 } from '../../migrations/1795400200000-WeightSetBasis';

/**
 * Migrations in order. Generated with `npm run migration:generate -- migrations/Name` against a
 * database at the latest migration, reviewed, and never edited after landing. Append new ones here.
 */
export const MIGRATIONS = [Initial1795317228392, AuditEventsAppendOnly1795317228492, TaskSeedsChampionEntries1795317703626, ChainMetagraphAuditBundles1795318386228, WeightSetBasis1795400200000];
