import { AuditBundleEntity } from '../audit/audit-bundle.entity';
import { MetagraphNeuronEntity } from '../chain/metagraph-neuron.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { WeightSetEntity } from '../chain/weight-set.entity';
import { EvaluationEntity } from '../evaluation/evaluation.entity';
import { LogChallengeEntity } from '../runs/log-challenge.entity';
import { TrainingRunEntity } from '../runs/training-run.entity';
import { EntrantEntity } from '../submissions/entrant.entity';
import { RoundEntity } from '../tournaments/round.entity';
import { TaskEntity } from '../tournaments/task.entity';
import { TournamentEntity } from '../tournaments/tournament.entity';

/** Every entity of the schema; the migrations in migrations/ must describe exactly these. */
export const ENTITIES = [
  TournamentEntity,
  RoundEntity,
  TaskEntity,
  EntrantEntity,
  TrainingRunEntity,
  EvaluationEntity,
  WeightSetEntity,
  AuditEventEntity,
  MetagraphNeuronEntity,
  AuditBundleEntity,
  LogChallengeEntity,
];
