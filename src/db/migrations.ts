import { Initial1795317228392 } from '../../migrations/1795317228392-Initial';
import { AuditEventsAppendOnly1795317228492 } from '../../migrations/1795317228492-AuditEventsAppendOnly';
import { TaskSeedsChampionEntries1795317703626 } from '../../migrations/1795317703626-TaskSeedsChampionEntries';
import { ChainMetagraphAuditBundles1795318386228 } from '../../migrations/1795318386228-ChainMetagraphAuditBundles';
import { EvaluationEvidence1795400100000 } from '../../migrations/1795400100000-EvaluationEvidence';
import { WeightSetBasis1795400200000 } from '../../migrations/1795400200000-WeightSetBasis';
import { AuditBundlesOnCompletion1795400300000 } from '../../migrations/1795400300000-AuditBundlesOnCompletion';
import { ChainCommitmentEntries1795400400000 } from '../../migrations/1795400400000-ChainCommitmentEntries';
import { TournamentOverrun1795400500000 } from '../../migrations/1795400500000-TournamentOverrun';
import { EventsOutbox1795400600000 } from '../../migrations/1795400600000-EventsOutbox';
import { RunLogs1795400700000 } from '../../migrations/1795400700000-RunLogs';
import { StandingsMarks1795400800000 } from '../../migrations/1795400800000-StandingsMarks';

/**
 * Migrations in order. Generated with `npm run migration:generate -- migrations/Name` against a
 * database at the latest migration, reviewed, and never edited after landing. Append new ones here.
 */
export const MIGRATIONS = [Initial1795317228392, AuditEventsAppendOnly1795317228492, TaskSeedsChampionEntries1795317703626, ChainMetagraphAuditBundles1795318386228, EvaluationEvidence1795400100000, WeightSetBasis1795400200000, AuditBundlesOnCompletion1795400300000, ChainCommitmentEntries1795400400000, TournamentOverrun1795400500000, EventsOutbox1795400600000, RunLogs1795400700000, StandingsMarks1795400800000];
